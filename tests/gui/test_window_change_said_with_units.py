"""A window length typed in the side panel is said on the status bar with its unit: the
lecturer pressed Enter on 5000 and nothing said what it meant (events? a frame?)."""

from __future__ import annotations

import pytest
from gui_support import make_window, wait_frames


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_window_change_is_said_with_its_unit(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    wait_frames(qtbot, win)
    win.window_events.setValue(5000)
    assert "window: 5,000 events a frame" in win.statusBar().currentMessage()
    win.window_mode.setCurrentIndex(win.window_mode.findData("duration"))
    win.window_ms.setValue(20.0)
    said = win.statusBar().currentMessage()
    assert "window: 20 ms a frame" in said and "network state reset" in said, said
    win.close()
