"""A status message wider than the window was cut at its edge with no way to read the rest: "no
event camera found; tried iniVation: ...; Prophesee: ... or 'pip inst" lost its outcome, "-
keeping the current source". The status bar's tooltip holds the message on show, whole."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_cut_status_message_is_whole_in_the_tooltip(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 1)
    bar = win.statusBar()
    text = "no event camera found; tried " + "a driver that is not there; " * 12 + "- keeping the current source"
    win.status(text, "error")
    assert bar.fontMetrics().horizontalAdvance(text) > bar.width()  # (cut on screen)
    assert bar.toolTip() == text
    bar.clearMessage()  # (a timed-out message must not live on in the tooltip)
    assert bar.toolTip() == ""
    win.close()
