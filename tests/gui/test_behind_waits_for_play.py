"""A model behind just before the user paused: 0.2 s after "paused" the 20 s "cannot keep up"
warning took the status bar (the pipeline's last pop set ``behind``), and nothing said the
replay was paused. While paused the warning waits: it is said on play if the model is still
behind. ``behind`` is set, not timed."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

BEHIND = "the model cannot keep up: 570 ms a window at 320x240, 6 of the last 9 windows skipped"


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_keep_up_warning_waits_for_play(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(320, 240), tiny_model)
    wait_frames(qtbot, win, 1)
    # (its threads stopped: the test machine's own windows neither set nor take back ``behind``;
    # pause and play are the flags the viewer reads)
    win.session.pipeline.stop()
    win.toggle_pause()
    assert win.statusBar().currentMessage() == "paused"
    win._behind = type(win._behind)()  # (judged afresh: the tiny model may have been behind already)
    win.session.stats().behind = BEHIND  # the pop taken as the user paused
    win._update_readouts(0.0)
    win._update_readouts(0.25)
    assert win.statusBar().currentMessage() == "paused"
    assert not [m for m in win.status_log if "cannot keep up" in m]
    win.toggle_pause()  # play: still behind, said now
    assert not win.session.paused
    win._update_readouts(0.5)
    assert win.statusBar().currentMessage().startswith("the model cannot keep up"), win.statusBar().currentMessage()
    win.close()
