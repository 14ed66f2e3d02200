""""full sensor" after an ROI error: the error ("not X,Y,W,H") stayed on the status bar for its
10 s, and came back after the whole sensor's warm-up, as if clearing the ROI had failed."""

from __future__ import annotations

import pytest
from gui_support import FRAME_TIMEOUT_MS, make_window, pattern, set_roi, wait_frames

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def _shape(qtbot, win, shape):
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == shape,
                    timeout=FRAME_TIMEOUT_MS)


def test_full_sensor_replaces_a_stale_roi_error(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    set_roi(win, "16,8,48,32")
    _shape(qtbot, win, (32, 48))
    set_roi(win, "1,2,3")
    assert "not X,Y,W,H" in win.statusBar().currentMessage()
    win.roi_full_button.click()
    assert win.status_log[-1].startswith("ROI cleared") and win.session.pipeline.roi is None
    _shape(qtbot, win, (72, 96))
    wait_frames(qtbot, win, 2)
    assert "not X,Y,W,H" not in win.statusBar().currentMessage()
    # no ROI set: an error typed, then "full sensor" (nothing to apply) still takes it off
    set_roi(win, "1,2,3")
    assert "not X,Y,W,H" in win.statusBar().currentMessage()
    win.roi_full_button.click()
    assert win.status_log[-1].startswith("ROI cleared")
    assert "not X,Y,W,H" not in win.statusBar().currentMessage()
    n = len(win.status_log)
    win.roi_full_button.click()  # (cleared again, nothing on show: not said again)
    assert len(win.status_log) == n
    win.close()
