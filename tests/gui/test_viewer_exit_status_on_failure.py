"""The viewer exited 0 when its ``--record`` was refused (the camera asked for did not open and
the simulated one showed instead) or when the camera was lost mid-run; headless exits 2 for
the same runs. The error stays on the status bar, and the exit status is 2 now, its reason
the terminal's last line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gui_support import FRAME_TIMEOUT_MS, _pluggable_camera, make_window, pattern, wait_frames

TESTS = Path(__file__).resolve().parents[1]


def _viewer(tmp_path, script: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "EVFOCUS_SETTINGS_DIR": str(tmp_path / "settings"),
           "PYTHONPATH": os.pathsep.join([str(TESTS.parent), str(TESTS), os.environ.get("PYTHONPATH", "")])}
    # (a process of its own: app.exec() in this one leaves pytest-qt's later waits returning at once)
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=180, cwd=tmp_path)


@pytest.mark.usefixtures("one_torch_thread")
def test_a_refused_record_is_a_failure_that_stays_on_the_status_bar(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model,
                      record_at_start=(str(tmp_path / "lab.aedat4"), None, "davis346"))
    qtbot.waitUntil(lambda: win.failure is not None, timeout=FRAME_TIMEOUT_MS)
    assert "davis346 did not open" in win.failure
    wait_frames(qtbot, win)
    # (the first window's warm-up line takes the bar for a while, then gives the error back)
    qtbot.waitUntil(lambda: win.failure in win.statusBar().currentMessage(), timeout=FRAME_TIMEOUT_MS)
    win.close()


@pytest.mark.usefixtures("one_torch_thread")
def test_a_camera_lost_mid_run_is_a_failure(qtbot, tmp_path, tiny_model, monkeypatch):
    import evfocus_live.gui.window as wmod
    monkeypatch.setattr(wmod, "open_with_fallback", lambda spec, msgs: pattern())
    cam = _pluggable_camera()
    win = make_window(qtbot, tmp_path, cam, tiny_model)
    wait_frames(qtbot, win)
    assert win.failure is None
    cam.plugged = False
    qtbot.waitUntil(lambda: win.failure is not None, timeout=FRAME_TIMEOUT_MS)
    assert "camera disconnected" in win.failure and "camera lost" in win.failure
    qtbot.waitUntil(lambda: win.failure in win.statusBar().currentMessage(), timeout=FRAME_TIMEOUT_MS)
    win.close()


def test_a_run_that_went_well_still_exits_0_and_a_refused_record_exits_2(tmp_path, tiny_ckpt):
    out = tmp_path / "lab.aedat4"
    script = f"""
import sys
from evfocus_live.gui import app
sys.exit(app.main(["--camera", {{camera!r}}, "--record", {str(out)!r}, "--model", {str(tiny_ckpt)!r},
                   "--device", "cpu", "--post", "none", "--exit-after-s", "1"]))
"""
    ok = _viewer(tmp_path, script.format(camera="sim"))
    assert ok.returncode == 0, ok.stderr
    out.unlink()
    refused = _viewer(tmp_path, script.format(camera="davis346"))
    assert refused.returncode == 2, refused.stderr
    last = refused.stderr.strip().splitlines()[-1]
    assert last.startswith("evfocus-live: error: --record/--video: davis346 did not open"), refused.stderr
    assert not out.exists()


def test_a_camera_lost_mid_run_exits_2(tmp_path, tiny_ckpt):
    script = f"""
import sys
from gui_support import _pluggable_camera
from evfocus_live.gui import app, window

real = window.open_with_fallback
cam = _pluggable_camera()
reads = []
def read(read=cam.read):  # unplugged after a few packets
    reads.append(1)
    cam.plugged = len(reads) < 20
    return read()
cam.read = read
window.open_with_fallback = lambda spec, msgs: cam if spec == "pattern" else real(spec, msgs)
sys.exit(app.main(["--camera", "pattern", "--model", {str(tiny_ckpt)!r}, "--device", "cpu", "--post", "none",
                   "--exit-after-s", "2"]))
"""
    run = _viewer(tmp_path, script)
    assert run.returncode == 2, run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("evfocus-live: error: ") and "camera lost" in last, run.stderr
