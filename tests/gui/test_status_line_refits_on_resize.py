"""A status message cut with "..." at the window's minimum height stayed cut once the window was
made taller (the label refitted only when its own width changed): it shows whole again then, and
a message cut at the minimum width shows whole once the window is wider (that one did already)."""

from __future__ import annotations

import pytest
from status_line_support import LONG, cut, settle  # noqa: F401 (cut: a fixture)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_cut_message_is_whole_once_the_window_is_taller(cut):
    win, label = cut, cut.status_label
    width_px, height_px = win.width(), win.height()
    win.resize(width_px, height_px + 200)
    settle()
    assert label.text() == LONG and label.height() >= label.heightForWidth(label.width())
    assert win.height() == height_px + 200


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_cut_message_is_whole_once_the_window_is_wider(cut):
    win, label = cut, cut.status_label
    height_px = win.height()
    win.resize(label.fontMetrics().horizontalAdvance(LONG) + win.width(), height_px)
    settle()
    assert label.text() == LONG and win.height() == height_px
