"""The number boxes take a typed number at Enter or when left (no keyboard tracking), but a
click beside the box (the side panel's blank, a label, the status bar) left the keyboard in
it: the box showed 200 ms while the viewer drew 100 ms, until the next Enter. Up and Down
in a box turned the simulated camera's focus knob instead of stepping the box (as a slider's
arrows did before they were its own)."""

from __future__ import annotations

import pytest
from gui_support import make_window, wait_frames
from PySide6 import QtCore

Key = QtCore.Qt.Key


@pytest.fixture
def win(qtbot, tmp_path, tiny_model, one_torch_thread):
    """The viewer on the simulated camera, its decay box live and holding the keyboard."""
    w = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, w)
    w.event_mode_combo.setCurrentIndex(w.event_mode_combo.findData("decay"))  # (the box is live)
    w.decay_spin.setFocus()
    qtbot.waitUntil(w.decay_spin.hasFocus, timeout=5000)
    yield w
    w.close()


@pytest.mark.gui
def test_a_click_beside_the_box_takes_the_typed_number(qtbot, win):
    box = win.decay_spin
    box.selectAll()
    qtbot.keyClicks(box, "200")
    panel = win.side_scroll.widget()
    qtbot.mouseClick(panel, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(2, panel.height() - 3))
    qtbot.waitUntil(lambda: not box.hasFocus(), timeout=5000)
    assert box.value() == 200.0 and win.opts.decay_ms == 200.0
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=5000)
    box.selectAll()
    qtbot.keyClicks(box, "300")
    qtbot.mouseClick(win.status_label, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.hasFocus(), timeout=5000)
    assert win.opts.decay_ms == 300.0


@pytest.mark.gui
def test_up_and_down_step_the_box_they_are_typed_in(qtbot, win):
    box = win.decay_spin
    knob, decay = win.sim_widgets["focus"].value(), box.value()
    qtbot.keyClick(box, Key.Key_Up)
    assert box.value() == decay + 1 and win.opts.decay_ms == decay + 1  # (at once, no Enter)
    qtbot.keyClick(box, Key.Key_Down)
    qtbot.keyClick(box, Key.Key_Down)
    assert win.opts.decay_ms == decay - 1
    assert win.sim_widgets["focus"].value() == knob
    qtbot.keyClick(box, Key.Key_Return)  # (the keys back: Up is the focus knob's again)
    qtbot.waitUntil(lambda: not box.hasFocus(), timeout=5000)
    qtbot.keyClick(win, Key.Key_Up)
    assert win.sim_widgets["focus"].value() == knob + 50
