"""Each end of a replay is said on the status bar, also one the GUI never saw begin."""

from __future__ import annotations

import time

import pytest
from conftest import REAL_FILES
from gui_support import TIMEOUT_MS, make_window

END = "end of the recording: space or Play plays it again"


def _block_gui_until(cond, timeout_s: float = 30.0) -> None:
    """Hold the GUI thread (no readout tick runs) until ``cond`` holds: a loaded machine."""
    deadline = time.monotonic() + timeout_s
    while not cond():
        assert time.monotonic() < deadline, "the replay did not end"
        time.sleep(0.005)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_replay_that_ends_between_two_readout_ticks_is_said_to_end(qtbot, tmp_path, tiny_model):
    """Play at the end of a short file played it again; on a loaded CI machine the worker ran
    the whole 130 ms file before the next readout tick (every 0.25 s), the window never saw it
    running, and the status bar kept "playing" instead of the end (the flaky
    test_the_end_of_a_file_replaces_playing_on_the_status_bar)."""
    win = make_window(qtbot, tmp_path, str(REAL_FILES["davis346"]["path"]), tiny_model, speed=0.0, loop=False,
                      window_events=20_000)
    s = win.session
    qtbot.waitUntil(lambda: win.status_log.count(END) == 1, timeout=TIMEOUT_MS)
    n = s.frames_done
    win.toggle_pause()  # plays it again
    assert win.status_log[-1] == "playing"
    _block_gui_until(lambda: s.frames_done > n and s.ended)
    qtbot.waitUntil(lambda: win.status_log.count(END) == 2, timeout=5_000)
    assert win.statusBar().currentMessage() == END
    assert win.play_button.text() == "Play"
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_an_end_not_yet_said_is_said_after_a_setting_remakes_the_last_frame(qtbot, tmp_path, tiny_model):
    """A setting changed at the end remakes the last frame and that end is not said again; but
    one changed before the readout tick had said the end at all hid the end for good."""
    win = make_window(qtbot, tmp_path, str(REAL_FILES["davis346"]["path"]), tiny_model, speed=0.0, loop=False,
                      window_events=20_000)
    s = win.session
    _block_gui_until(lambda: s.ended)
    assert END not in win.status_log
    n = s.frames_done
    win._show_one_frame_if_paused()  # what a new window, ROI, model or filter does
    _block_gui_until(lambda: s.frames_done > n and s.ended)
    qtbot.waitUntil(lambda: END in win.status_log, timeout=5_000)
    qtbot.wait(600)  # two more readout ticks: said once
    assert win.status_log.count(END) == 1, win.status_log
    win.close()
