"""The keyboard help (h) on a projector's 1024x768, where a lecture shows it: the F5 row's long
text widened the overlay past the panes' right edge, its last words cut. Every row shows whole."""

from __future__ import annotations

import pytest
from gui_support import make_window, wait_frames, wait_idle
from PySide6 import QtCore, QtWidgets


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_help_text_is_whole_at_1024x768(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    win.session.pause()
    wait_idle(qtbot, win.session)
    win.resize(1024, 768)
    qtbot.waitUntil(lambda: win.size() == QtCore.QSize(1024, 768), timeout=5000)
    QtWidgets.QApplication.processEvents()
    qtbot.keyClick(win, QtCore.Qt.Key.Key_H)
    overlay, panes = win.help_overlay, win.panes_box
    assert overlay.isVisible()
    text = overlay.contentsRect()  # (inside its padding)
    assert overlay.mapTo(panes, text.topLeft()).x() >= 0
    assert overlay.mapTo(panes, text.topRight()).x() < panes.width()
    win.close()
