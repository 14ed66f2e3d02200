"""Session 21 QA of the viewer as a demanding user drives it (offscreen, pytest-qt): the ROI
remembered per sensor size, and the faults found by driving every control through its widgets."""

from __future__ import annotations

import pytest
from test_review2_gui import make_window, pattern, wait_frames

FRAME_TIMEOUT_MS = 30_000


def set_roi(win, text: str) -> None:
    win.roi_edit.setText(text)
    win.roi_edit.editingFinished.emit()


def wait_shape(qtbot, win, shape) -> None:
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == shape,
                    timeout=FRAME_TIMEOUT_MS)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_roi_is_remembered_per_sensor_size_for_the_session(qtbot, tmp_path, tiny_model, isolated_settings):
    """A smaller sensor that cannot hold the ROI ran on the whole sensor and forgot it: switching
    back to the big sensor lost it. Now each sensor size gets back the ROI it last ran with (a
    cleared one stays cleared), and nothing of it goes to the settings file."""
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    set_roi(win, "40,30,56,40")
    wait_shape(qtbot, win, (40, 56))
    assert win.open_source(pattern(64, 48))
    said = [m for m in win.status_log if "64x48" in m and "whole sensor" in m]
    assert said and "kept for the 96x72 sensor" in said[-1], win.status_log
    assert win.opts.window.roi is None and win.roi_edit.text() == ""
    wait_shape(qtbot, win, (48, 64))
    set_roi(win, "8,8,32,32")  # the small sensor's own
    wait_shape(qtbot, win, (32, 32))
    assert win.open_source(pattern(96, 72))
    assert win.opts.window.roi == (40, 30, 56, 40) and win.roi_edit.text() == "40,30,56,40"
    assert win.session.pipeline.roi == (40, 30, 56, 40) and "96x72 \u2192 56x40" in win.source_label.text()
    wait_shape(qtbot, win, (40, 56))
    n = len(win.status_log)
    assert win.open_source(pattern(64, 48))
    assert win.roi_edit.text() == "8,8,32,32" and win.session.pipeline.roi == (8, 8, 32, 32)
    assert not any("whole sensor" in m for m in win.status_log[n:]), win.status_log
    win.roi_full_button.click()  # cleared on the small sensor: stays cleared there
    assert win.open_source(pattern(96, 72)) and win.session.pipeline.roi == (40, 30, 56, 40)
    assert win.open_source(pattern(64, 48)) and win.session.pipeline.roi is None and win.roi_edit.text() == ""
    win.close()
    ini = isolated_settings / "evfocus-live.ini"
    assert not ini.exists() or "40,30" not in ini.read_text() and "roi" not in ini.read_text().lower()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_an_roi_typed_with_no_source_running_is_the_next_sources(qtbot, tmp_path, tiny_model):
    """With no source running (a fault stopped it) an ROI typed in the box is for the next
    source, also when that sensor size had another ROI earlier in the session."""
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    set_roi(win, "40,30,56,40")
    win.session.stop()
    win.session = None
    set_roi(win, "0,0,48,32")
    assert win.opts.window.roi == (0, 0, 48, 32)
    assert win.open_source(pattern(96, 72)) and win.session.pipeline.roi == (0, 0, 48, 32)
    win.close()
