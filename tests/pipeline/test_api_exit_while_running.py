"""A script that starts a threaded Pipeline and ends without stop() exits cleanly.

Before, the daemon worker was frozen inside torch while the interpreter finalised: C++
``terminate called without an active exception``, SIGABRT (exit 134) and a core dump.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import DAVIS_FILE, REPO

SCRIPT = """
import time
from evfocus_live.config import SourceConfig
from evfocus_live.pipeline import Pipeline

pipe = Pipeline(SourceConfig({path!r}, loop=True), model="evfocus")
pipe.start(on_frame=lambda fr: None)
while pipe.stats.frames < 2:  # the worker is inside the model from here on
    time.sleep(0.05)
{end}
"""


@pytest.mark.parametrize("end", ["pass", "raise SystemExit('bye')", "raise RuntimeError('user bug')"])
def test_exit_with_the_threads_running_does_not_abort(end):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", SCRIPT.format(path=str(DAVIS_FILE), end=end)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert "terminate called" not in proc.stderr
    assert proc.returncode == (0 if end == "pass" else 1), proc.stderr[-2000:]
