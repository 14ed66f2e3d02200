"""A paused or finished replay in the viewer: a remade last window, the end said once."""

from __future__ import annotations

import numpy as np
import pytest
from aps_support import pane_image
from gui_support import FRAME_TIMEOUT_MS, davis_window, paused_on_a_frame, redone

from evfocus_live.config import WindowConfig


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_remade_last_window_of_a_looped_file_leaves_the_replay_idle_at_its_end(qtbot, tmp_path, tiny_model):
    """Paused on the last window of a looped file, a setting change remade it, then the reader
    went on to the next pass (a seek to the start, a loop counted) while paused. Now it stays at
    the end reading nothing until Play, which starts the next pass."""
    win = davis_window(qtbot, tmp_path, tiny_model, speed=1.0, loop=True,
                       window=WindowConfig(mode="duration", window_ms=33.0))
    paused_on_a_frame(qtbot, win)
    s = win.session
    r = s.time_range_us
    n = win.frames_painted
    s.seek(r[1] - 5_000)  # the last window, as a paused replay shows one frame there
    qtbot.waitUntil(lambda: win.frames_painted > n and s.paused, timeout=FRAME_TIMEOUT_MS)
    qtbot.wait(200)
    fv, n, loops = win.last_frame, win.frames_painted, s.pipeline.stats.loops
    assert fv.t_us == r[1] + 1  # the partial window ends after the last event (it said 158 ms of 130)
    win.post_checks["unsharp"].click()
    fv, n = redone(qtbot, win, fv, n)
    qtbot.wait(300)
    assert s.pipeline.stats.loops == loops and s.t_us == r[1]  # idle at the end, not in the next pass
    assert win.frames_painted == n and s.paused
    win.play_button.click()
    qtbot.waitUntil(lambda: s.pipeline.stats.loops > loops and win.frames_painted > n, timeout=FRAME_TIMEOUT_MS)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_end_of_a_recording_is_said_once_after_a_remade_frame(qtbot, tmp_path, tiny_model):
    """At the end of a replay (no loop) a new setting remade the last frame, and "end of the
    recording" came on the status bar a second time. Now once; playing it again ends it anew."""
    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.25, loop=False,
                       window=WindowConfig(mode="duration", window_ms=10.0))
    s = win.session

    def said():
        return sum(m.startswith("end of the recording") for m in win.status_log)

    qtbot.waitUntil(lambda: s.ended and said() == 1, timeout=FRAME_TIMEOUT_MS)
    n = win.frames_painted
    win.post_checks["unsharp"].click()
    qtbot.waitUntil(lambda: win.frames_painted > n and s.ended, timeout=FRAME_TIMEOUT_MS)
    qtbot.wait(400)  # paint ticks
    assert said() == 1, win.status_log
    win.play_button.click()
    qtbot.waitUntil(lambda: said() == 2, timeout=FRAME_TIMEOUT_MS)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_paused_replay_shows_one_frame_of_a_new_model_filter_or_event_view(qtbot, tmp_path, tiny_model, tiny_ckpt):
    """Paused, a model loaded (or a filter ticked, or another event view picked) changed the
    titles and boxes but not the panes: the frame on show was the old model's, without the
    filter, and the event pane kept the network window's image under "accumulate + decay".
    Now each makes one frame of the same window with the new setting, and stays paused."""
    from unittest import mock

    from PySide6 import QtWidgets

    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.1, loop=True,
                       window=WindowConfig(mode="duration", window_ms=10.0))
    fv, n = paused_on_a_frame(qtbot, win)
    with mock.patch.object(QtWidgets.QFileDialog, "getOpenFileName", return_value=(str(tiny_ckpt), "")):
        win._checkpoint_dialog()  # (the "Load checkpoint ..." button)
    assert win.session.model_cfg.name == str(tiny_ckpt)
    fv, n = redone(qtbot, win, fv, n)
    win.post_checks["unsharp"].click()
    fv, n = redone(qtbot, win, fv, n)
    assert win.session.post_cfg.steps == ("unsharp",)
    window_image = pane_image(win.event_pane).copy()
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("decay"))
    fv, n = redone(qtbot, win, fv, n)
    qtbot.waitUntil(lambda: not np.array_equal(pane_image(win.event_pane), window_image), timeout=5000)
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("window"))  # its frame's window, at once
    assert np.array_equal(pane_image(win.event_pane), win.last_frame.event_image)
    win.close()
