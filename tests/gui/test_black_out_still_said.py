"""While the panes are blacked out (b or .) the status bar said so only until the next message:
any other line (the keep-up warning, "playing ..." of a new source, a model's warm-up, a
snapshot's "saved") took its place, and once that one went the bar was empty over black panes,
nothing saying why or which key shows them again. The line comes back when the bar clears."""

from __future__ import annotations

import pytest
from gui_support import _blacked_out
from PySide6 import QtCore

from evfocus_live.gui.window import BLANK_TEXT

Key = QtCore.Qt.Key


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_black_out_line_comes_back_after_another(qtbot, tmp_path, tiny_model):
    win = _blacked_out(qtbot, tmp_path, tiny_model)
    bar = win.statusBar()
    win.status("playing a new source", timeout_ms=10_000)
    assert bar.currentMessage() == "playing a new source"  # (said over it meanwhile)
    bar.clearMessage()  # (its time out)
    assert bar.currentMessage() == BLANK_TEXT and win.status_label.text() == BLANK_TEXT
    qtbot.keyClick(win, Key.Key_Period)  # shown again: the line goes for good
    assert not win.blanked
    bar.clearMessage()
    assert bar.currentMessage() == ""
    win.close()
