"""An error on the status bar is red: "no such file - keeping the current source" was black on
grey as every info line was, easy to miss among the viewer's own notes. The next info line is
back to the bar's own colour."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames
from PySide6 import QtGui

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def _text_rgb(win):
    win.status_label.ensurePolished()
    c = win.status_label.palette().color(QtGui.QPalette.ColorRole.WindowText)
    return c.red(), c.green(), c.blue()


def test_an_error_is_red_and_the_next_info_line_is_not(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    win.open_source(str(tmp_path / "missing.raw"))
    assert "no such file" in win.status_label.full_text
    r, g, b = _text_rgb(win)
    assert r - g > 100 and r - b > 100, (r, g, b)
    win.status("settings loaded from x.toml")
    r, g, b = _text_rgb(win)
    assert abs(r - g) < 20 and abs(r - b) < 20, (r, g, b)
    win.close()
