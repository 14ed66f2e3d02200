"""A recording that failed as the viewer closed (its last packet's write or the event file's
close, which writes its index: disk full) left the viewer's exit status 0 and its window said
"saved"; headless exits 2 for a failed recording. And the viewer's ``error:`` line, said once
the window closed, came before the lines of the threads it then waits for (a reader whose
read() hangs), so it was not the terminal's last line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from gui_support import make_window, wait_frames

from evfocus_live.gui.recording import Recorder

TESTS = Path(__file__).resolve().parents[1]


class _CloseFails:
    """An event writer whose close fails (after closing the real one: no file left open)."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def close(self):
        self._real.close()
        raise OSError(28, "No space left on device")


def _events(n=100, t0=0):
    ev = np.zeros(n, dtype=[("t", "<i8"), ("x", "<u2"), ("y", "<u2"), ("p", "i1")])
    ev["t"] = t0 + np.arange(n)
    return ev


def test_a_recorders_failed_close_is_its_error(tmp_path):
    from evfocus_live.events import EVENT_DTYPE

    rec = Recorder()
    rec.start(events_path=tmp_path / "a.aedat4", width=32, height=32)
    rec.write_events(_events().astype(EVENT_DTYPE))
    rec._events = _CloseFails(rec._events)
    rec.stop()
    assert rec.error is not None and "No space left" in rec.error


@pytest.mark.usefixtures("one_torch_thread")
def test_a_recording_that_fails_as_the_window_closes_is_a_failure(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    assert win.record_to(tmp_path / "lab.aedat4", None, overwrite=True)
    wait_frames(qtbot, win, 2)
    rec = win.session.recorder
    rec._events = _CloseFails(rec._events)
    win.close()
    assert win.failure is not None and "No space left" in win.failure


def test_the_error_line_comes_after_the_exit_waits_lines(tmp_path, tiny_ckpt):
    script = f"""
import logging, sys
from evfocus_live.gui import app
real = app.join_pipeline_threads
def join(*a, **k):
    real(*a, **k)
    logging.getLogger("evfocus_live.gui.app").warning("the source's read() has not returned: exiting without it")
app.join_pipeline_threads = join
sys.exit(app.main(["--camera", "davis346", "--record", {str(tmp_path / 'lab.aedat4')!r}, "--model",
                   {str(tiny_ckpt)!r}, "--device", "cpu", "--post", "none", "--exit-after-s", "1"]))
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "EVFOCUS_SETTINGS_DIR": str(tmp_path / "settings"),
           "PYTHONPATH": os.pathsep.join([str(TESTS.parent), str(TESTS), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=180,
                         cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "read() has not returned" in run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("evfocus-live: error: --record/--video: davis346 did not open"), run.stderr
