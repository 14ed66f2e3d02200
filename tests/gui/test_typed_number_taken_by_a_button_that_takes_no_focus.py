"""A number typed in a side-panel box applies at Enter or as the box loses the keyboard. On a style
whose buttons take no keyboard on a click (macOS), a click on a button left the box holding it and
its number unapplied: the button, or File > Save settings, acted on the number from before. Now a
button, combo or menu takes the typed number first, whichever widget holds the keyboard."""

from __future__ import annotations

import pytest
from gui_support import make_window, wait_frames
from PySide6 import QtCore, QtWidgets


@pytest.fixture
def win(qtbot, tmp_path, tiny_model, one_torch_thread):
    """The viewer on the simulated camera in fixed-duration windows, the ms box holding the
    keyboard, every button taking none on a click (as on macOS)."""
    w = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, w)
    w.window_mode.setCurrentIndex(w.window_mode.findData("duration"))
    for b in w.findChildren(QtWidgets.QAbstractButton):
        b.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
    w.window_ms.setFocus()
    qtbot.waitUntil(w.window_ms.hasFocus, timeout=5000)
    yield w
    w.close()


def type_in(qtbot, box, text: str) -> None:
    box.selectAll()
    qtbot.keyClicks(box, text)


@pytest.mark.gui
def test_a_button_that_takes_no_focus_applies_the_typed_number_first(qtbot, win):
    box = win.window_ms
    type_in(qtbot, box, "250")
    assert win.opts.window.window_ms != 250.0  # (typed, not applied: no Enter)
    qtbot.mouseClick(win.play_button, QtCore.Qt.MouseButton.LeftButton)  # (Pause: no keyboard taken anywhere)
    assert box.hasFocus()  # (the click took no keyboard from the box)
    assert win.opts.window.window_ms == 250.0 and win.session.window_cfg.window_ms == 250.0


@pytest.mark.gui
def test_a_menu_applies_the_typed_number_before_save_settings(qtbot, win, tmp_path):
    type_in(qtbot, win.window_ms, "123.5")
    file_menu = win.menuBar().actions()[0].menu()
    file_menu.aboutToShow.emit()  # (a native menu bar's menu opens: the box keeps the keyboard)
    assert win.window_ms.hasFocus()
    path = win.save_settings_to(tmp_path / "lab.toml")
    assert "window_ms = 123.5" in path.read_text()


@pytest.mark.gui
def test_an_unreadable_number_is_put_back_as_leaving_the_box_does(qtbot, win):
    box = win.window_ms
    before = win.opts.window.window_ms
    type_in(qtbot, box, "1.000,5")  # (two separators: a thousands mark, not taken)
    qtbot.mouseClick(win.play_button, QtCore.Qt.MouseButton.LeftButton)
    assert win.opts.window.window_ms == before and box.value() == before
