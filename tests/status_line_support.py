"""The viewer's status line cut to one line at the window's minimum size: shared by the tests
of how it refits when the window is resized."""

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
