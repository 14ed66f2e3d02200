"""``evfocus-live --camera davis346 --record lab.aedat4`` with no DAVIS attached: the viewer shows
the simulated camera instead, and it recorded that into lab.aedat4 (minutes of simulated events
in the file named for the camera, said only in a status line long gone). Nothing is recorded
now, said on the status bar; the simulated camera asked for (or ``auto``) still records."""

from __future__ import annotations

import pytest
from PySide6 import QtCore
from gui_support import make_window, wait_frames


def _paths(tmp_path):
    return str(tmp_path / "lab.aedat4"), str(tmp_path / "lab.mp4")


def test_a_camera_that_did_not_open_is_not_recorded_as_the_simulated_one(qtbot, tmp_path, tiny_model):
    # (the window opens the simulated camera the fallback leaves running)
    win = make_window(qtbot, tmp_path, "sim", tiny_model, record_at_start=(*_paths(tmp_path), "davis346"))
    wait_frames(qtbot, win)
    assert not win.session.recorder.active
    assert not win.record_button.isChecked()
    # on show once the first window's warm-up line is off (it was hidden at once by "live: sim")
    qtbot.waitUntil(lambda: "davis346 did not open" in win.statusBar().currentMessage(), timeout=10_000)
    assert "nothing recorded" in win.statusBar().currentMessage()
    qtbot.mouseClick(win.record_button, QtCore.Qt.MouseButton.LeftButton)  # what the line says to do
    assert win.session.recorder.active and win.record_button.isChecked()
    wait_frames(qtbot, win)
    win.close()
    assert list((tmp_path / "rec").glob("evfocus_*.aedat4"))  # (the Record button's own name)
    assert not (tmp_path / "lab.aedat4").exists() and not (tmp_path / "lab.mp4").exists()


@pytest.mark.parametrize("asked", ["sim", "auto"])
def test_the_simulated_camera_asked_for_is_recorded(qtbot, tmp_path, tiny_model, asked):
    win = make_window(qtbot, tmp_path, "sim", tiny_model, record_at_start=(*_paths(tmp_path), asked))
    assert win.session.recorder.active and win.record_button.isChecked()
    wait_frames(qtbot, win, 2)
    win.close()
    assert (tmp_path / "lab.aedat4").stat().st_size > 0
