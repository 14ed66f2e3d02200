"""Fullscreen (f, or a clicker's F5 as a slide show starts) is for the talk, not the next start:
quit while it was on (q), the window's saved geometry brought the viewer up fullscreen the next
time, on a laptop with the projector gone. The next start has the window's size from before."""

from __future__ import annotations

import pytest
from gui_support import wait_frames
from PySide6 import QtCore

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.gui.window import MainWindow, ViewerOptions


def _window(qtbot, tmp_path, model) -> MainWindow:
    opts = ViewerOptions(model_obj=model, post=PostConfig(), window=WindowConfig(mode="events", window_events=1500),
                         record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap", source="sim",
                         remember_geometry=True)
    win = MainWindow(opts)
    qtbot.addWidget(win)
    return win


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_quit_in_fullscreen_starts_in_a_window_next_time(qtbot, tmp_path, tiny_model):
    win = _window(qtbot, tmp_path, tiny_model)
    win.resize(800, 520)  # (within the offscreen screen: 800x600)
    win.show()
    wait_frames(qtbot, win)
    qtbot.keyClick(win, QtCore.Qt.Key.Key_F5)
    qtbot.waitUntil(win.isFullScreen, timeout=2000)
    qtbot.keyClick(win, QtCore.Qt.Key.Key_Q)
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=5000)
    again = _window(qtbot, tmp_path, tiny_model)
    again.show()
    wait_frames(qtbot, again)
    assert not again.isFullScreen()
    assert again.height() == 520  # (the size from before; the width: offscreen trims it to its screen)
    again.close()
