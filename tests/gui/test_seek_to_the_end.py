"""A seek to the end of a recording (the → key on a short file, the slider's end) made a window
of the recording's last event alone: a blank event pane, a flat grey frame, a spike in the
focus meter. Now it shows the recording's last whole window, which ends with that event."""

from __future__ import annotations

import pytest
from conftest import REAL_FILES

from evfocus_live.config import PostConfig, WindowConfig

DAVIS = REAL_FILES["davis346"]
TIMEOUT_MS = 30_000


def davis_window(qtbot, tmp_path, model, window):
    from evfocus_live.gui.window import MainWindow, ViewerOptions

    opts = ViewerOptions(source=str(DAVIS["path"]), model_obj=model, post=PostConfig(steps=()), window=window,
                         speed=1.0, loop=True, record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap",
                         remember_geometry=False)
    win = MainWindow(opts)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    return win


def paused(qtbot, win):
    n = win.frames_painted
    qtbot.waitUntil(lambda: win.frames_painted >= n + 2 and win.session.time_range_us is not None,
                    timeout=TIMEOUT_MS)
    win.play_button.click()
    qtbot.waitUntil(lambda: win.session.paused, timeout=5000)
    qtbot.wait(500)
    return win.frames_painted


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("how", ["key", "slider"])
def test_a_seek_to_the_end_shows_the_last_whole_window(qtbot, tmp_path, tiny_model, how):
    from PySide6 import QtCore, QtTest

    win = davis_window(qtbot, tmp_path, tiny_model, WindowConfig(mode="events", window_events=20_000))
    n = paused(qtbot, win)
    r = win.session.time_range_us
    if how == "key":
        QtTest.QTest.keyClick(win, QtCore.Qt.Key.Key_Right)  # +1 s of a 0.13 s recording
    else:
        win.seek_slider.setValue(1000)
        win._slider_released()
    qtbot.waitUntil(lambda: win.frames_painted > n, timeout=TIMEOUT_MS)
    fv = win.last_frame
    assert fv.n_events > 10_000, fv.n_events  # (it was 1)
    assert r[1] - 40_000 < fv.t_us <= r[1] + 1
    assert win.session.paused
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_seek_to_the_end_in_duration_windows_ends_with_the_last_event(qtbot, tmp_path, tiny_model):
    win = davis_window(qtbot, tmp_path, tiny_model, WindowConfig(mode="duration", window_ms=20.0))
    n = paused(qtbot, win)
    r = win.session.time_range_us
    win.seek(r[1])
    qtbot.waitUntil(lambda: win.frames_painted > n, timeout=TIMEOUT_MS)
    fv = win.last_frame
    assert (fv.t_start_us, fv.t_us) == (r[1] - 20_000 + 1, r[1] + 1)
    assert fv.n_events > 1_000
    win.close()
