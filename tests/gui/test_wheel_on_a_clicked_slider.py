"""A simulated camera's slider (speed, light) takes the wheel once clicked, until the pointer
leaves it: the side panel's wheel filter let a box, combo or slider take it only while it held
the keyboard, and a click gives these sliders none (they are reached by Tab, so that the mouse
does not leave them holding the arrows), so the wheel over a slider just clicked scrolled the
panel, never the slider (Qt's default turned it), against README's "once clicked into"."""

from __future__ import annotations

import pytest
from gui_support import make_window
from PySide6 import QtCore, QtWidgets
from wheel_support import wheel


@pytest.fixture
def win(qtbot, tmp_path, tiny_model, one_torch_thread):
    w = make_window(qtbot, tmp_path, "sim", tiny_model)
    qtbot.waitUntil(lambda: isinstance(w.sim_widgets.get("speed"), QtWidgets.QSlider), timeout=10_000)
    w.event_pane.setFocus()
    yield w
    w.close()


@pytest.mark.gui
def test_a_clicked_slider_takes_the_wheel_until_the_pointer_leaves(qtbot, win):
    speed, light = win.sim_widgets["speed"], win.sim_widgets["light"]
    assert not wheel(speed) and not wheel(light)  # (not clicked: the panel scrolls)
    middle = QtCore.QPoint(speed.width() // 2, speed.height() // 2)
    qtbot.mouseClick(speed, QtCore.Qt.MouseButton.LeftButton, pos=middle)
    assert not speed.hasFocus()  # (a click gives it no keyboard: by design)
    before = speed.value()
    assert wheel(speed)
    assert speed.value() != before
    assert not wheel(light)  # (only the one clicked)
    QtWidgets.QApplication.sendEvent(speed, QtCore.QEvent(QtCore.QEvent.Type.Leave))
    before = speed.value()
    assert not wheel(speed) and speed.value() == before  # (the pointer left: the panel's wheel again)



@pytest.mark.gui
def test_a_box_clicked_into_and_left_by_enter_gives_the_wheel_back(qtbot, win):
    """A box a click gives the keyboard keeps the wheel only while it holds it: Enter gives the
    keys back to the panes, and the wheel, the pointer still over the box, scrolls the panel."""
    win.window_mode.setCurrentIndex(win.window_mode.findData("duration"))
    box = win.window_ms
    qtbot.mouseClick(box, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(box.width() // 3, box.height() // 2))
    box.setFocus()  # (the click's own, where the window is active: offscreen it is not)
    qtbot.waitUntil(box.hasFocus, timeout=5000)
    qtbot.keyClick(box, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not box.hasFocus(), timeout=5000)
    before = box.value()
    assert not wheel(box) and box.value() == before
