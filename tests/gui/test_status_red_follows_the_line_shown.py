"""An error line is red whenever it is on the status bar, and only then: the warm-up line
("first window at ...: preparing the model") took the bar from a file's error and, once done,
put the error back in black (the red was keyed to the last status() call's text and level);
the quiet/stall lines that count their seconds, a cleared bar and the next info line are in
the bar's own colour."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames
from PySide6 import QtGui

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def _red(win) -> bool:
    win.status_label.ensurePolished()
    c = win.status_label.palette().color(QtGui.QPalette.ColorRole.WindowText)
    return c.red() - c.green() > 100 and c.red() - c.blue() > 100


def test_an_error_put_back_after_the_warm_up_line_is_red_again(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    win.status("x.raw: packet 4 is truncated", "error", timeout_ms=20_000)
    assert _red(win)
    win._show_warmup("first window at 96x72: preparing the model")
    assert win.status_label.full_text.startswith("first window") and not _red(win)
    win._show_warmup("")
    assert win.status_label.full_text == "x.raw: packet 4 is truncated"
    assert _red(win)
    win.statusBar().clearMessage()
    assert not _red(win)
    win.status("x.raw: packet 4 is truncated", "error")
    win.statusBar().showMessage("no new frame for 3 s")  # (a line shown without status())
    assert not _red(win)
    win.close()


def test_an_error_on_show_follows_the_desktop_turning_dark(qtbot, tmp_path, tiny_model):
    from PySide6 import QtWidgets

    from evfocus_live.gui.window import ERROR_TEXT, ERROR_TEXT_ON_DARK

    app = QtWidgets.QApplication.instance()
    light = app.palette()
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    try:
        win.status("x.raw: packet 4 is truncated", "error", timeout_ms=20_000)
        assert ERROR_TEXT in win.status_label.styleSheet()
        dark = QtGui.QPalette(light)
        for role in (QtGui.QPalette.ColorRole.Window, QtGui.QPalette.ColorRole.Base):
            dark.setColor(role, QtGui.QColor("#303030"))
        dark.setColor(QtGui.QPalette.ColorRole.WindowText, QtGui.QColor("#eeeeee"))
        app.setPalette(dark)
        qtbot.waitUntil(lambda: ERROR_TEXT_ON_DARK in win.status_label.styleSheet(), timeout=5000)
        assert _red(win)
    finally:
        app.setPalette(light)
    qtbot.waitUntil(lambda: ERROR_TEXT in win.status_label.styleSheet(), timeout=5000)
    win.close()


def test_the_same_line_said_again_as_an_error_turns_red(qtbot, tmp_path, tiny_model):
    """(Qt's bar says nothing of a message it already shows: the level went unseen.)"""
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    win.status("camera: no frames from the sensor")
    assert not _red(win)
    win.status("camera: no frames from the sensor", "error")
    assert _red(win)
    win.status("camera: no frames from the sensor")
    assert not _red(win)
    win.close()
