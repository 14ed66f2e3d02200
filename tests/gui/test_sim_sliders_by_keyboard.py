"""The simulated camera's speed and light sliders took no keyboard focus: Tab never reached
them, so a keyboard user could not change either. Tab reaches them now and the arrows move
them by their step (Home/End to the ends), while space still pauses, a clicker's
PageUp/PageDown still turn the focus knob, and Enter or Esc gives the keys back, as in a box."""

from __future__ import annotations

import pytest
from gui_support import make_window, wait_frames
from PySide6 import QtCore, QtWidgets

Key = QtCore.Qt.Key


def _tab_to(qtbot, win, target, tries=40):
    win.event_pane.setFocus()
    for _ in range(tries):
        if QtWidgets.QApplication.focusWidget() is target:
            return
        qtbot.keyClick(QtWidgets.QApplication.focusWidget() or win, Key.Key_Tab)
    raise AssertionError(f"Tab never reached the slider (last: {QtWidgets.QApplication.focusWidget()})")


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("name, step", [("speed", 25), ("light", 26)])  # 0.1 of 0-4, 0.05 of 0.05-2
def test_tab_reaches_the_slider_and_the_arrows_move_it(qtbot, tmp_path, tiny_model, name, step):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    slider, knob = win.sim_widgets[name], win.sim_widgets["focus"]
    _tab_to(qtbot, win, slider)
    value, focus = slider.value(), knob.value()
    qtbot.keyClick(slider, Key.Key_Right)
    assert slider.value() == value + step and knob.value() == focus
    qtbot.keyClick(slider, Key.Key_Left)
    qtbot.keyClick(slider, Key.Key_Left)
    assert slider.value() == value - step and knob.value() == focus
    qtbot.keyClick(slider, Key.Key_Down)  # (Up/Down turned the focus knob)
    assert slider.value() == value - 2 * step and knob.value() == focus
    qtbot.keyClick(slider, Key.Key_PageDown)  # the clicker's key stays the focus knob's
    assert knob.value() == focus + 50 and slider.value() == value - 2 * step
    qtbot.keyClick(slider, Key.Key_Space)
    assert win.session.paused and slider.value() == value - 2 * step
    qtbot.keyClick(slider, Key.Key_Return)
    qtbot.waitUntil(lambda: not slider.hasFocus(), timeout=5000)
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or win, Key.Key_Up)
    assert slider.value() == value - 2 * step and knob.value() == focus + 100
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_esc_gives_the_keys_back_and_a_click_takes_none(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    slider = win.sim_widgets["light"]
    _tab_to(qtbot, win, slider)
    qtbot.keyClick(slider, Key.Key_Escape)
    qtbot.waitUntil(lambda: not slider.hasFocus(), timeout=5000)
    value, focus = slider.value(), win.sim_widgets["focus"].value()
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or win, Key.Key_Right)  # the focus knob's again
    assert slider.value() == value and win.sim_widgets["focus"].value() == focus + 50
    assert slider.focusPolicy() == QtCore.Qt.FocusPolicy.TabFocus  # (a click would leave it holding the arrows)
    win.close()
