"""Dragging the seek bar's handle seeks once, where it is let go. The "drag: seek on release" test
compared the slider's action (an int from the signal) with the enum, never equal: every mouse move
of a drag sought (the network reset, a frame remade each time), and the next readout moved the
handle back under the mouse to the frame on show."""

from __future__ import annotations

import pytest
from gui_support import davis_window, paused_on_a_frame
from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest


def handle_centre(sl) -> QtCore.QPoint:
    opt = QtWidgets.QStyleOptionSlider()
    sl.initStyleOption(opt)
    rect = sl.style().subControlRect(QtWidgets.QStyle.ComplexControl.CC_Slider, opt,
                                     QtWidgets.QStyle.SubControl.SC_SliderHandle, sl)
    return rect.center()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_drag_of_the_seek_bar_seeks_once_on_release(qtbot, tmp_path, tiny_model):
    win = davis_window(qtbot, tmp_path, tiny_model, speed=1.0, loop=True)
    paused_on_a_frame(qtbot, win)
    sought = []
    win.seek = lambda t_us: sought.append(int(t_us))
    sl = win.seek_slider
    sl.setValue(100)
    qtbot.wait(50)
    p = handle_centre(sl)
    QTest.mousePress(sl, QtCore.Qt.MouseButton.LeftButton, pos=p)
    for dx in range(10, 200, 20):  # the handle dragged to the right, in steps
        QTest.mouseMove(sl, QtCore.QPoint(p.x() + dx, p.y()))
        qtbot.wait(30)
    assert sought == []  # (not while dragging)
    assert sl.value() > 100  # (the handle stays under the mouse)
    let_go = sl.value()
    QTest.mouseRelease(sl, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(p.x() + 190, p.y()))
    qtbot.wait(100)
    t0, t1 = win.session.time_range_us
    assert sought == [int(t0 + (t1 - t0) * let_go / 1000)]
    win.close()
