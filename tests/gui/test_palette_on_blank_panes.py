"""A palette picked while the panes are blank, waiting for the first frame of a new ROI where
nothing moves: the event pane stays blank (it showed the old window's events again, the whole
sensor's, beside the blank frame pane and its "waiting for events" note)."""

from __future__ import annotations

import pytest
from aps_support import pane_image
from gui_support import FRAME_TIMEOUT_MS, davis_window, set_roi, wait_frames

from evfocus_live.config import WindowConfig


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_palette_picked_while_waiting_for_an_roi_keeps_the_event_pane_blank(qtbot, tmp_path, tiny_model):
    win = davis_window(qtbot, tmp_path, tiny_model, speed=1.0, loop=True,
                       window=WindowConfig(mode="duration", window_ms=10.0))
    wait_frames(qtbot, win, 2)
    set_roi(win, "0,0,16,16")  # (no event there in this recording)
    qtbot.waitUntil(lambda: any("waiting for events inside the ROI" in m for m in win.status_log),
                    timeout=FRAME_TIMEOUT_MS)
    assert pane_image(win.event_pane).shape[:2] == (2, 2)
    win.palette_combo.setCurrentIndex(win.palette_combo.findData("gray"))
    assert win.session.palette == "gray"
    assert pane_image(win.event_pane).shape[:2] == (2, 2)  # (blank still)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_back_to_the_network_window_while_waiting_for_an_roi_shows_no_old_events(qtbot, tmp_path, tiny_model):
    """The same for the event mode: from the decay view back to "network window" showed the
    whole sensor's last window beside the blank panes."""
    win = davis_window(qtbot, tmp_path, tiny_model, speed=1.0, loop=True,
                       window=WindowConfig(mode="duration", window_ms=10.0))
    wait_frames(qtbot, win, 2)
    mode = win.event_mode_combo
    mode.setCurrentIndex(mode.findData("decay"))
    set_roi(win, "0,0,16,16")
    qtbot.waitUntil(lambda: any("waiting for events inside the ROI" in m for m in win.status_log),
                    timeout=FRAME_TIMEOUT_MS)
    mode.setCurrentIndex(mode.findData("window"))
    assert pane_image(win.event_pane).shape[:2] == (2, 2)
    win.close()
