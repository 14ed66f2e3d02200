"""A window shortcut pressed while a side-panel box holds a number typed and not yet applied
(keyboard tracking off: it applies at Enter or as the box loses the keyboard) acts after the
number applies, as a button does: a clicker's PageDown or F5 fired with the box's old value
still running (2000 typed in the events box, 1500 read by the action)."""

from __future__ import annotations

import pytest
from gui_support import make_window, wait_frames
from PySide6 import QtCore

Key = QtCore.Qt.Key

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


@pytest.mark.parametrize("key", [Key.Key_PageDown, Key.Key_F5])
def test_the_typed_number_applies_before_the_shortcut_acts(qtbot, tmp_path, tiny_model, key):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    seen = []  # what the running config held as each shortcut's action ran
    for sc in win._shortcuts:
        sc.activated.connect(lambda: seen.append(win.session.window_cfg.window_events))
    box = win.window_events
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=5000)
    box.selectAll()
    qtbot.keyClicks(box, "2000")
    assert win.session.window_cfg.window_events == 1500  # (typed, not applied yet)
    qtbot.keyClick(box, key)
    assert seen == [2000]
    assert box.value() == 2000
    win.close()


def test_a_roi_typed_applies_before_the_shortcut_acts(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    seen = []
    for sc in win._shortcuts:
        sc.activated.connect(lambda: seen.append(win.session.window_cfg.roi))
    win.roi_edit.setFocus()
    qtbot.waitUntil(win.roi_edit.hasFocus, timeout=5000)
    qtbot.keyClicks(win.roi_edit, "10,10,64,48")
    qtbot.keyClick(win.roi_edit, Key.Key_PageDown)
    assert seen == [(10, 10, 64, 48)]
    win.close()
