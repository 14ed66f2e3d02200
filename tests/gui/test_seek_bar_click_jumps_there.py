"""A click on the seek bar's groove goes to that place of the recording. It moved the handle a
page step (1 %) toward the click: a click at a fifth of a recording looked like it did nothing."""

from __future__ import annotations

import pytest
from gui_support import paused_seek_recorder
from PySide6 import QtCore
from PySide6.QtTest import QTest


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_click_on_the_seek_bar_seeks_there(qtbot, tmp_path, tiny_model):
    win, sought = paused_seek_recorder(qtbot, tmp_path, tiny_model)
    sl = win.seek_slider
    for frac in (0.2, 0.75):
        QTest.mouseClick(sl, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(int(sl.width() * frac),
                                                                                sl.height() // 2))
        qtbot.waitUntil(lambda: len(sought) > 0, timeout=5000)
        t0, t1 = win.session.time_range_us
        qtbot.wait(100)
        assert len(sought) == 1, sought  # (one seek a click)
        assert abs((sought[-1] - t0) / (t1 - t0) - frac) < 0.05, (frac, sought)
        sought.clear()
    win.close()
