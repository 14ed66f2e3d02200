"""The viewer counted the events a slow model's run dropped but not the windows it skipped, and
said nothing of a model that cannot keep up (a 1280x720 sensor at 570 ms a window: one frame
in three shown). The readout now gives both counts, and the status bar says it once each time
it starts, with the Window group's boxes that would let it keep up."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.gui.session import BEHIND_SAY_EVERY_S

BEHIND = "the model cannot keep up: 570 ms a window at 320x240, 6 of the last 9 windows skipped"


def quiet_window(qtbot, tmp_path, model):
    """A viewer on a 320x240 camera whose pipeline's threads are stopped after its first frame
    (no window of the pipeline's own sets ``behind`` meanwhile). Not paused: a paused viewer
    keeps the warning for play (test_behind_waits_for_play)."""
    win = make_window(qtbot, tmp_path, pattern(320, 240), model)
    wait_frames(qtbot, win, 1)
    win.session.pipeline.stop()
    # (judged afresh: on a loaded machine the tiny model may have fallen behind before the pause,
    # and the notice, on at the real clock's time, took the test's first "behind" for a repeat)
    win.session.stats().behind = ""
    win._behind = type(win._behind)()
    return win


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_skipped_windows_and_behind_said(qtbot, tmp_path, tiny_model):
    win = quiet_window(qtbot, tmp_path, tiny_model)
    st = win.session.stats()
    st.skipped_windows, st.behind = 6, BEHIND  # (set, not timed: the pipeline's tests make it happen)
    win._update_readouts(0.0)
    assert win.readouts.text("dropped").endswith(" ev / 6 win"), win.readouts.text("dropped")
    said = [m for m in win.status_log if m.startswith(BEHIND)]
    assert said == [BEHIND + "; try the Window group's downsample box at 2x2 (the model sees 160x120: 4x fewer "
                    "pixels)"], said
    win._update_readouts(1.0)
    assert len([m for m in win.status_log if m.startswith(BEHIND)]) == 1  # (once, not every tick)
    for now, behind in ((2.0, ""), (3.0, BEHIND), (4.0, "")):  # (caught up, behind again: not within a minute)
        st.behind = behind
        win._update_readouts(now)
    assert len([m for m in win.status_log if m.startswith(BEHIND)]) == 1
    st.behind = BEHIND  # (behind again later: said again)
    win._update_readouts(BEHIND_SAY_EVERY_S + 1.0)
    assert len([m for m in win.status_log if m.startswith(BEHIND)]) == 2
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_behind_waits_for_a_warning_on_show(qtbot, tmp_path, tiny_model):
    win = quiet_window(qtbot, tmp_path, tiny_model)
    win.status("davis346 did not open: nothing recorded", "warning", timeout_ms=0)
    win.session.stats().behind = BEHIND
    win._update_readouts(0.0)
    assert win.statusBar().currentMessage().startswith("davis346 did not open")
    win.statusBar().clearMessage()
    win._update_readouts(1.0)
    assert win.statusBar().currentMessage().startswith(BEHIND)
    win.close()
