"""The mouse wheel over a side-panel number box or combo while scrolling the panel: Qt's default
turned the box under the pointer (the window's duration changed, the model box loaded another
model) and the panel stopped scrolling. A box, combo or slider now takes the wheel only once it
holds the keyboard (clicked into); otherwise the panel scrolls."""

from __future__ import annotations

import pytest
from gui_support import make_window
from PySide6 import QtCore
from wheel_support import wheel


@pytest.fixture
def win(qtbot, tmp_path, tiny_model, one_torch_thread):
    """The viewer on the simulated camera, small enough that its side panel scrolls."""
    w = make_window(qtbot, tmp_path, "sim", tiny_model)
    w.resize(1000, 500)
    qtbot.waitUntil(lambda: w.side_scroll.verticalScrollBar().maximum() > 0, timeout=5000)
    w.window_mode.setCurrentIndex(w.window_mode.findData("duration"))  # (the ms box is live)
    w.event_pane.setFocus()
    yield w
    w.close()


@pytest.mark.gui
def test_the_wheel_over_an_unfocused_box_scrolls_the_panel(qtbot, win):
    box, bar = win.window_ms, win.side_scroll.verticalScrollBar()
    before, scrolled = box.value(), bar.value()
    assert not box.hasFocus()
    assert not wheel(box)  # (left to the parents: the panel's scroll area)
    assert box.value() == before and win.opts.window.window_ms == before
    wheel(win.side_scroll.viewport())
    assert bar.value() > scrolled  # (where a real wheel event goes next)
    model = win.model_combo.currentText()
    assert not wheel(win.model_combo) and not wheel(win.model_combo, +1)
    assert win.model_combo.currentText() == model
    assert box.focusPolicy() == QtCore.Qt.FocusPolicy.StrongFocus  # (a wheel gives it no keyboard)


@pytest.mark.gui
def test_a_focused_box_takes_the_wheel(qtbot, win):
    box = win.window_ms
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=5000)
    before = box.value()
    assert wheel(box, +1)
    assert box.value() == before + box.singleStep()
