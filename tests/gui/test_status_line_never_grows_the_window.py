"""A status message that wraps onto a second line at the window's minimum height (about 800x470)
made the window taller (466 -> 477 px at 800 wide, more for a longer one), and it stayed so after
the message went. There the message is one line, cut with "..." (whole in the bar's tooltip);
with room to spare it still wraps."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames
from PySide6 import QtWidgets

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.gui.window import MainWindow, ViewerOptions

LONG = "no event camera found; tried " + "a driver that is not there; " * 6 + "- keeping the current source"


def settle() -> None:
    for _ in range(10):  # (layout requests are posted events: handled, then those they post)
        QtWidgets.QApplication.processEvents()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_long_message_at_the_minimum_height_keeps_the_window_size(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 1)
    win.toggle_pause()  # (no keep-up line said over the one below meanwhile)
    bar, label = win.statusBar(), win.status_label
    win.resize(800, 1)  # (held at its minimum height)
    settle()
    height_px, one_line_px = win.height(), label.height()
    assert height_px == win.minimumSizeHint().height()
    win.status(LONG, "error")
    settle()
    assert label.fontMetrics().horizontalAdvance(LONG) > label.width()  # (it would wrap)
    assert win.height() == height_px and label.height() == one_line_px
    assert label.text().endswith("\N{HORIZONTAL ELLIPSIS}") and label.full_text == LONG
    assert bar.toolTip() == LONG  # (whole there)
    bar.clearMessage()
    settle()
    assert win.height() == height_px
    # with room to spare it wraps, every line shown, and the window keeps its size
    win.resize(800, height_px + 200)
    settle()
    win.status(LONG, "error")
    settle()
    assert label.text() == LONG and label.height() >= label.heightForWidth(label.width()) > one_line_px
    assert win.height() == height_px + 200
    # a short one after it: one line again (QLabel's height for the width was at least the
    # height set for the long one, and the bar stayed tall)
    win.status("settings loaded")
    settle()
    assert label.height() == one_line_px
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_long_message_before_the_window_shows(qtbot, tmp_path, tiny_model):
    """Said before the window is shown (a source that did not open), the message was wrapped at
    the label's width then (about 100 px: six lines) and the window started 533 px tall, not 466."""
    win = MainWindow(ViewerOptions(model_obj=tiny_model, post=PostConfig(), window=WindowConfig(),
                                   record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap", source=pattern()))
    qtbot.addWidget(win)
    win.status("/nonexistent.raw: no such file - showing the simulated camera instead", "error")
    win.resize(800, 1)
    win.show()
    settle()
    label = win.status_label
    assert label.height() == label.fontMetrics().height()  # (one line: it fits the bar's width)
    assert win.height() == win.minimumSizeHint().height()
    win.close()
