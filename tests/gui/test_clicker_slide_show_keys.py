"""A presenter's clicker sends a slide show's keys besides PageUp/PageDown: F5 (Shift+F5) to
start it, Esc to end it, and b or . for a black screen. The viewer did nothing with F5 or b:
F5 now fills the screen as f does (Esc leaves), and b or . black out the panes until pressed
again, said on the status bar. A box being typed in keeps its '.' (a window of 12.5 ms)."""

from __future__ import annotations

import pytest
from gui_support import make_window, wait_frames
from PySide6 import QtCore, QtWidgets

from evfocus_live.gui.window import BLANK_TEXT

Key, Mod = QtCore.Qt.Key, QtCore.Qt.KeyboardModifier


def _covered(win) -> bool:
    """The panes box is under the black cover, whole."""
    cover = win.blank_cover
    return cover.isVisible() and cover.geometry() == win.panes_box.rect()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("shift", [False, True])
def test_f5_fills_the_screen_and_esc_leaves(qtbot, tmp_path, tiny_model, shift):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    mod = Mod.ShiftModifier if shift else Mod.NoModifier
    qtbot.keyClick(win, Key.Key_F5, mod)
    qtbot.waitUntil(win.isFullScreen, timeout=2000)
    qtbot.keyClick(win, Key.Key_F5, mod)  # (a slide show started again: still full, not a toggle)
    QtWidgets.QApplication.processEvents()
    assert win.isFullScreen()
    qtbot.keyClick(win, Key.Key_Escape)
    qtbot.waitUntil(lambda: not win.isFullScreen(), timeout=2000)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("key", [Key.Key_B, Key.Key_Period])
def test_b_or_period_blacks_out_the_panes_and_again_shows_them(qtbot, tmp_path, tiny_model, key):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    assert not win.blank_cover.isVisible()
    qtbot.keyClick(win, key)
    assert _covered(win)
    assert win.statusBar().currentMessage() == BLANK_TEXT
    image = win.panes_box.grab().toImage()
    corner = image.pixelColor(image.width() // 2, image.height() // 2)
    assert (corner.red(), corner.green(), corner.blue()) == (0, 0, 0)
    win.resize(1024, 768)  # (the projector's size: the cover follows the panes)
    qtbot.waitUntil(lambda: win.blank_cover.geometry() == win.panes_box.rect(), timeout=5000)
    painted = win.frames_painted
    wait_frames(qtbot, win)  # (the frames go on under it)
    assert win.frames_painted > painted and _covered(win)
    qtbot.keyClick(win, key)
    assert not win.blank_cover.isVisible()
    assert win.statusBar().currentMessage() != BLANK_TEXT
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_box_typed_in_keeps_its_period_and_b(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    win.window_mode.setCurrentIndex(win.window_mode.findData("duration"))
    box = win.window_ms
    box.setFocus()
    qtbot.waitUntil(box.hasFocus, timeout=5000)
    box.selectAll()
    qtbot.keyClicks(box, "12.5")
    qtbot.keyClick(box, Key.Key_B)
    assert not win.blank_cover.isVisible()
    assert box.lineEdit().text().startswith("12.5")
    qtbot.keyClick(box, Key.Key_Return)
    qtbot.waitUntil(lambda: not box.hasFocus(), timeout=5000)
    assert box.value() == 12.5
    win.roi_edit.setFocus()
    qtbot.waitUntil(win.roi_edit.hasFocus, timeout=5000)
    qtbot.keyClicks(win.roi_edit, "b.")
    assert win.roi_edit.text() == "b." and not win.blank_cover.isVisible()
    win.close()
