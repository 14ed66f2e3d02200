"""A status message cut with "..." at the window's minimum height stayed cut once the window was
made taller (the label refitted only when its own width changed): it shows whole again then, and
a message cut at the minimum width shows whole once the window is wider (that one did already)."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames
from PySide6 import QtWidgets

ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"
LONG = "no event camera found; tried " + "a driver that is not there; " * 6 + "- keeping the current source"


def settle() -> None:
    for _ in range(10):  # (layout requests are posted events: handled, then those they post)
        QtWidgets.QApplication.processEvents()


@pytest.fixture
def cut(qtbot, tmp_path, tiny_model):
    """A window at its minimum size (800 wide) showing LONG cut to one line."""
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 1)
    win.toggle_pause()  # (no keep-up line said over the one below meanwhile)
    win.resize(800, 1)
    settle()
    win.status(LONG, "error")
    settle()
    label = win.status_label
    assert label.text().endswith(ELLIPSIS) and label.full_text == LONG
    yield win
    win.close()


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
