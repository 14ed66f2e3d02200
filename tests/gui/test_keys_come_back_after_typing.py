"""After typing a window length (or an ROI) and pressing Enter or Esc, the viewer's keys work
again: the box kept the keyboard, so space typed into it instead of pausing, and a clicker's
PageDown stepped the events box by 10,000 instead of turning the focus knob."""

from __future__ import annotations

import pytest
from gui_support import make_window, wait_frames
from PySide6 import QtCore, QtWidgets

Key = QtCore.Qt.Key


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("done", [Key.Key_Return, Key.Key_Escape])
def test_enter_or_esc_in_the_events_box_gives_the_keys_back(qtbot, tmp_path, tiny_model, done):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    box = win.window_events
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=5000)
    box.selectAll()
    qtbot.keyClicks(box, "2000")
    qtbot.keyClick(box, done)
    qtbot.waitUntil(lambda: not box.hasFocus(), timeout=5000)
    assert box.value() == 2000  # (applied, Esc too: the box shows it)
    knob = win.sim_widgets["focus"].value()
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or win, Key.Key_PageDown)
    assert win.sim_widgets["focus"].value() == knob + 50
    assert box.value() == 2000
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or win, Key.Key_Space)
    assert win.session.paused
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_enter_in_the_roi_box_gives_the_keys_back(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    win.roi_edit.setFocus()
    qtbot.waitUntil(win.roi_edit.hasFocus, timeout=5000)
    qtbot.keyClick(win.roi_edit, Key.Key_Return)
    qtbot.waitUntil(lambda: not win.roi_edit.hasFocus(), timeout=5000)
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or win, Key.Key_Space)
    assert win.session.paused
    win.close()
