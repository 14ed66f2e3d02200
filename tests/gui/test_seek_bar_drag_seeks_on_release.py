"""Dragging the seek bar's handle seeks once, where it is let go. The "drag: seek on release" test
compared the slider's action (an int from the signal) with the enum, never equal: every mouse move
of a drag sought (the network reset, a frame remade each time), and the next readout moved the
handle back under the mouse to the frame on show."""

from __future__ import annotations

import pytest
from gui_support import paused_seek_recorder
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
    win, sought = paused_seek_recorder(qtbot, tmp_path, tiny_model)
    sl = win.seek_slider
    start, p = sl.value(), handle_centre(sl)
    step = -20 if start > 500 else 20  # (toward the middle: there is room to drag)
    QTest.mousePress(sl, QtCore.Qt.MouseButton.LeftButton, pos=p)
    for k in range(1, 11):  # the handle dragged in steps
        QTest.mouseMove(sl, QtCore.QPoint(p.x() + k * step, p.y()))
        qtbot.wait(30)
    assert sought == []  # (not while dragging)
    assert abs(sl.value() - start) > 100  # (the handle stays under the mouse)
    let_go = sl.value()
    QTest.mouseRelease(sl, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(p.x() + 10 * step, p.y()))
    qtbot.wait(100)
    t0, t1 = win.session.time_range_us
    assert sought == [int(t0 + (t1 - t0) * let_go / 1000)]
    win.close()
