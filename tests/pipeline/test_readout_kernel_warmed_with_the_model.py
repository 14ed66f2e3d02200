"""The defocus readout's numba kernel (``core.defocus.abs_sum_bins``) compiled, or loaded from
its cache, on the first frame's readout, after the model's warm-up had ended: 0.3-0.55 s of
the first frame, unsaid, in a process where no numba code ran before (a live camera whose reader
uses none). It is warmed in the model's first-window step ("preparing the model"): compiled
before the model first runs. Run in a fresh interpreter: another test's readout compiles it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
from pipeline_support import H, NO_POST, W, ArraySource, SumModel, windows
from evfocus_live.config import WindowConfig
from evfocus_live.core import defocus
from evfocus_live.pipeline import Pipeline

class Spy(SumModel):
    at_first_call = None
    def forward(self, voxel):
        if self.at_first_call is None:
            self.at_first_call = len(defocus._abs_sum_numba.signatures)
        return super().forward(voxel)

assert not defocus._abs_sum_numba.signatures  # (fresh: none compiled or loaded yet)
model = Spy()
pipe = Pipeline(ArraySource(windows(1)[0].events, W, H), WindowConfig(mode="events", window_events=10),
                model=model, post=NO_POST)
fr = pipe.process_window(windows(1)[0])
print("signatures at the model's first call:", model.at_first_call)
assert fr is not None and fr.sigma is not None
assert model.at_first_call, model.at_first_call
"""


def test_the_readout_kernel_is_compiled_before_the_model_first_runs():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(REPO), str(REPO / "tests")))}
    r = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stdout + r.stderr[-2000:]
