"""Help > About and Help > Plugins, asked many times in a long run, keep one dialog each."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern
from PySide6 import QtCore, QtWidgets

from evfocus_live.gui.window import about_text


@pytest.mark.gui
def test_help_dialogs_asked_again_reuse_one_dialog_each(qtbot, tmp_path, tiny_model):
    """Each look made a new dialog that its Close button only hid: 50 looks at About and
    Plugins left 100 dialogs (+1700 Qt objects) in an open-day viewer, and two looks
    without closing stacked two About windows."""
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    before = len(win.findChildren(QtCore.QObject))
    first = win.show_about_dialog()
    again = win.show_about_dialog()  # (asked again while open: the same one, raised)
    assert again is first
    for _ in range(5):
        win.show_about_dialog().reject()
        win.show_plugins_dialog().close()
    dialogs = win.findChildren(QtWidgets.QDialog)
    assert len(dialogs) == 2, [d.windowTitle() for d in dialogs]
    grown = len(win.findChildren(QtCore.QObject)) - before
    assert grown < 40, grown  # (two small dialogs' widgets)
    dlg = win.show_about_dialog()  # shown again, with what runs now
    assert dlg.isVisible()
    assert dlg.findChildren(QtWidgets.QPlainTextEdit)[0].toPlainText() == about_text(win.session)
    win.close()
