"""The viewer's ROI: the box, a rectangle dragged on the event pane, its outline, the ROI kept per
sensor size, and ROIs where nothing moves."""

from __future__ import annotations

import pytest
from aps_support import pane_image
from gui_support import FRAME_TIMEOUT_MS, davis_window, drag, make_window, pattern, set_roi, wait_frames
from pipeline_support import read_all

from evfocus_live.config import WindowConfig
from evfocus_live.sources import open_source


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
    assert "ROI 40,30,56,40: this 96x72 sensor's, from earlier in the session" in win.status_log[-1]
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


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_an_roi_where_nothing_moves_blanks_the_panes_and_says_so(qtbot, tmp_path, tiny_model):
    """The DAVIS recording has no event in its top-left 16x16 corner: with that ROI no window
    was ever made, and the panes went on showing the whole sensor's last frame, frozen, while
    the source label said "346x260 → 16x16" and nothing else was said."""
    from PySide6 import QtCore, QtTest

    win = davis_window(qtbot, tmp_path, tiny_model, speed=1.0, loop=True,
                       window=WindowConfig(mode="duration", window_ms=10.0))
    wait_frames(qtbot, win, 2)
    set_roi(win, "0,0,16,16")
    qtbot.waitUntil(lambda: any("waiting for events inside the ROI 0,0,16,16" in m for m in win.status_log),
                    timeout=FRAME_TIMEOUT_MS)
    assert win.frame_pane.note.toPlainText() == "waiting for events inside the ROI 0,0,16,16"
    assert pane_image(win.frame_pane).shape == pane_image(win.event_pane).shape[:2] == (2, 2)  # (blank)
    drag(qtbot, win.event_pane, (10.5, 10.5), (120.5, 90.5))  # on the blank pane: said, not ignored in silence
    assert "shows no frame to drag on" in win.status_log[-1] and win.opts.window.roi == (0, 0, 16, 16)
    QtTest.QTest.keyClick(win, QtCore.Qt.Key.Key_S)  # a snapshot of the blank panes: not the old frame
    assert win.status_log[-1] == "snapshot: no frame yet - waiting for events inside the ROI 0,0,16,16"
    assert not (tmp_path / "snap").exists()
    set_roi(win, "100,100,32,32")  # where the pegboard is
    wait_shape(qtbot, win, (32, 32))
    assert win.frame_pane.note.toPlainText() == "" and win.session.pipeline.roi == (100, 100, 32, 32)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_new_roi_at_the_end_of_a_recording_shows_its_last_window(qtbot, tmp_path, tiny_model):
    """At the end of a recording (no loop) a new ROI changed the source label to "→ 32x32"
    while the panes kept the whole sensor's last frame. Now the last window is made again
    with it, and the replay stays at its end."""
    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.0, loop=False,
                       window=WindowConfig(mode="duration", window_ms=10.0))
    qtbot.waitUntil(lambda: win.session.ended and win.last_frame is not None, timeout=FRAME_TIMEOUT_MS)
    qtbot.wait(300)
    fv, n = win.last_frame, win.frames_painted
    set_roi(win, "100,100,32,32")
    wait_shape(qtbot, win, (32, 32))
    qtbot.waitUntil(lambda: win.session.ended and win.play_button.text() == "Play", timeout=5000)
    assert (win.last_frame.t_start_us, win.last_frame.t_us) == (fv.t_start_us, fv.t_us)
    assert win.frames_painted == n + 1
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_long_window_is_not_taken_for_an_roi_without_events(qtbot, tmp_path, tiny_model):
    """A 3 s duration window makes its first frame after 3 s: the "waiting for events" note
    must wait for the window too, not blank the panes at 2 s (the play time is set by hand)."""
    import time

    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    win.window_mode.setCurrentIndex(win.window_mode.findData("duration"))
    win.window_ms.setValue(3000.0)
    assert win.session.window_cfg.window_ms == 3000.0 and win._awaiting is not None
    s, n = win.session, len(win.status_log)
    aw = win._awaiting
    aw.first_index += 10**6  # (no frame of it will do, whatever the worker made meanwhile)
    aw.waited_s, aw.t_counted = 4.0, time.monotonic()
    win._check_awaiting(s, aw.t_counted)
    assert not any("no frame for" in m for m in win.status_log[n:]), win.status_log
    aw.waited_s, aw.t_counted = 5.5 + 3 * s.stats().infer_ms / 1e3, time.monotonic()
    win._check_awaiting(s, aw.t_counted)
    assert "waiting for events for this window setting" in win.status_log[-1]
    win.close()


def _outline(win):
    """(visible, (x, y, w, h)) of the event pane's ROI outline."""
    item = win.event_pane.outline
    r = item.rect()
    return item.isVisible(), (r.x(), r.y(), r.width(), r.height())


def _outline_pixels(win) -> int:
    """Pixels of the outline's colour (#30c0ff) in a grab of the event pane."""
    from evfocus_live.gui.widgets import qimage_to_array

    img = qimage_to_array(win.event_pane.grab().toImage())[..., :3].astype(int)
    return int((abs(img - (0x30, 0xC0, 0xFF)).sum(-1) < 40).sum())


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_roi_is_outlined_on_the_whole_sensor_event_modes(qtbot, tmp_path, tiny_model):
    from gui_support import make_window, pattern, wait_frames
    from gui_support import set_roi

    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    assert not _outline(win)[0]  # no ROI
    set_roi(win, "16,8,48,32")
    qtbot.waitUntil(lambda: win.event_pane.image_shape == (32, 48), timeout=30_000)
    assert not _outline(win)[0]  # "network window": the pane is the ROI itself
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("decay"))
    qtbot.waitUntil(lambda: win.event_pane.image_shape == (72, 96), timeout=30_000)
    assert _outline(win) == (True, (16.0, 8.0, 48.0, 32.0))
    qtbot.wait(100)
    assert _outline_pixels(win) > 50  # drawn, not just flagged visible
    set_roi(win, "40,30,56,40")  # follows the ROI
    assert _outline(win) == (True, (40.0, 30.0, 56.0, 40.0))
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("time_surface"))
    assert _outline(win)[0]
    assert win.open_source(pattern(96, 72))  # a source that holds it: still outlined
    wait_frames(qtbot, win)
    assert _outline(win) == (True, (40.0, 30.0, 56.0, 40.0))
    assert win.open_source(pattern(64, 48))  # one that cannot: it runs whole, no outline
    assert win.opts.window.roi is None and not _outline(win)[0]
    set_roi(win, "0,0,32,16")
    assert _outline(win) == (True, (0.0, 0.0, 32.0, 16.0))
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("window"))
    assert not _outline(win)[0]
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("decay"))
    assert _outline(win)[0]
    win.roi_full_button.click()  # cleared
    assert not _outline(win)[0]
    qtbot.wait(100)
    assert _outline_pixels(win) == 0
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_roi_box_applies_refuses_reverts_and_clears(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    assert win.roi_edit.text() == "" and win.last_frame.image.shape == (72, 96)
    set_roi(win, "16,8,48,32")
    assert win.opts.window.roi == (16, 8, 48, 32)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == (32, 48), timeout=30_000)
    assert "96x72 \u2192 48x32" in win.source_label.text()
    gen = win.session.pipeline._gen
    set_roi(win, "16,8,48,32")  # unchanged (leaving the box): not applied again (no state reset)
    assert win.session.pipeline._gen == gen
    set_roi(win, "60,0,48,32")  # not inside the 96x72 sensor: refused, the box shows what runs
    assert "96x72" in win.status_log[-1] and win.roi_edit.text() == "16,8,48,32"
    assert win.opts.window.roi == (16, 8, 48, 32) and win.session.pipeline.roi == (16, 8, 48, 32)
    set_roi(win, "1,2,3")  # malformed: said, reverted
    assert "not X,Y,W,H" in win.status_log[-1] and win.roi_edit.text() == "16,8,48,32"
    win.downsample_combo.setCurrentIndex(win.downsample_combo.findData(2))  # ROI first, then the binning
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == (16, 24), timeout=30_000)
    assert win.opts.window.roi == (16, 8, 48, 32)
    win.roi_full_button.click()
    assert win.opts.window.roi is None and win.roi_edit.text() == ""
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == (36, 48), timeout=30_000)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_source_that_cannot_hold_the_roi_runs_whole_and_says_so(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    set_roi(win, "40,30,56,40")
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == (40, 56), timeout=30_000)
    assert win.record_to(tmp_path / "rec.aedat4")
    wait_frames(qtbot, win, 2)
    assert win.open_source(pattern(64, 48))  # (saves the recording)
    assert any("64x48" in m and "whole sensor" in m for m in win.status_log), win.status_log
    assert win.opts.window.roi is None and win.roi_edit.text() == ""
    wait_frames(qtbot, win, 2)
    assert win.last_frame.image.shape == (48, 64)
    src = open_source(str(tmp_path / "rec.aedat4"))
    got = read_all(src)
    assert (src.width, src.height) == (96, 72) and got["x"].min() < 40 and got["y"].min() < 30  # all events
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_rectangle_dragged_on_the_event_pane_sets_the_roi(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win, 3)
    qtbot.wait(300)  # (the panes' layout settles: a drag across a moving view maps its ends apart)
    assert win.event_pane.image_shape == (72, 96)
    drag(qtbot, win.event_pane, (8.2, 4.6), (59.5, 43.1))  # (whole pixels covering it)
    assert win.opts.window.roi == (8, 4, 52, 40) and win.roi_edit.text() == "8,4,52,40"
    qtbot.waitUntil(lambda: win.event_pane.image_shape == (40, 52), timeout=30_000)
    win.downsample_combo.setCurrentIndex(win.downsample_combo.findData(2))
    qtbot.waitUntil(lambda: win.event_pane.image_shape == (20, 26), timeout=30_000)
    qtbot.wait(300)
    drag(qtbot, win.event_pane, (20.5, 15.5), (2.5, 1.5))  # on the binned ROI, backwards: its sensor pixels
    assert win.opts.window.roi == (8 + 2 * 2, 4 + 1 * 2, (21 - 2) * 2, (16 - 1) * 2)
    roi = win.opts.window.roi
    drag(qtbot, win.event_pane, (1, 1), (4, 4))  # too small: said, nothing changes
    assert "at least 16x16" in win.status_log[-1] and win.opts.window.roi == roi
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("decay"))  # the whole sensor's pane
    qtbot.waitUntil(lambda: win.event_pane.image_shape == (72, 96), timeout=30_000)
    qtbot.wait(300)
    drag(qtbot, win.event_pane, (60.5, 30.5), (90.5, 70.5))
    assert win.opts.window.roi == (60, 30, 31, 41)
    win.close()
