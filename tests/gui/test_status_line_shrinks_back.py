"""A status message cut at the window's minimum height is shown whole once the window is made
taller; made short again, the window must go back to its minimum height (the message cut again):
the label's lines held the window's minimum up (477 px, not 466 at 800 wide) for as long as the
message stayed."""

from __future__ import annotations

import pytest
from status_line_support import ELLIPSIS, LONG, cut, settle  # noqa: F401 (cut: the fixture)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_window_shrinks_back_after_a_message_was_shown_whole(cut):
    win, label = cut, cut.status_label
    width_px, min_height_px = win.width(), win.height()
    win.resize(width_px, min_height_px + 200)
    settle()
    assert label.text() == LONG
    for _ in range(2):  # (a drag down: at the minimum the lines give way, then the window goes on)
        win.resize(width_px, 1)
        settle()
    assert win.height() == min_height_px, (win.height(), min_height_px)
    assert label.text().endswith(ELLIPSIS)
