"""bench/bench_int8.py on a count-channel or integrator model (or another network) failed after
its calibration, deep in a conv or the fx trace: "cannot quantize cc.pt (x86 convs):
RuntimeError: Given groups=1, weight of size [4, 6, 3, 3], expected input[1, 5, 48, 64] to
have 6 channels", "AttributeError: 'tuple' object has no attribute 'shape'". Now one line says
what the prototype traces, before any calibration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
SMALL = dict(base=4, num_encoders=3, num_residual_blocks=1, kernel=3, rec_kernel=3, num_deblur_blocks=1)


@pytest.mark.parametrize("extra, said", [
    ({"count_channel": True}, "has a count channel (count_channel = true): "),
    ({"count_channel": True, "integrator": True}, "and an integrator (integrator = true): "),
])
def test_a_count_channel_or_integrator_model_is_refused_in_one_line(tmp_path, extra, said):
    from evfocus_live.nn.registry import build_model, save_checkpoint

    ckpt = save_checkpoint(tmp_path / "m.pt", build_model("evfocus", dict(SMALL, **extra)).eval())
    r = subprocess.run([sys.executable, str(BENCH / "bench_int8.py"), "--model", str(ckpt), "--res", "64x48",
                        "--calib-windows", "4", "--engine", "x86"], cwd=BENCH.parent, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2, r.stderr[-2000:]
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0] and "plain EvFocus models" in lines[0], r.stderr
    assert "calibrated" not in r.stdout + r.stderr  # (refused before the calibration)


def test_another_network_is_refused_by_name():
    import runpy

    from evfocus_live.nn.registry import load_model

    unsupported = runpy.run_path(str(BENCH / "bench_int8.py"))["unsupported"]
    assert "not an EvFocus model (FireNet)" in unsupported(load_model("firenet"), "firenet")
    assert unsupported(load_model("evfocus"), "evfocus") is None
