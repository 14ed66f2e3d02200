"""Session 21 QA of the viewer as a demanding user drives it (offscreen, pytest-qt): the ROI
remembered per sensor size, and the faults found by driving every control through its widgets."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REAL_FILES
from gui_support import make_window, pattern, set_roi, wait_frames
from aps_support import pane_image
from gui_support import drag
from gui_support import FRAME_TIMEOUT_MS, davis_window, paused_on_a_frame, redone

from evfocus_live.config import WindowConfig

DAVIS = REAL_FILES["davis346"]


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
def test_a_paused_replay_shows_one_frame_of_a_new_model_filter_or_event_view(qtbot, tmp_path, tiny_model, tiny_ckpt):
    """Paused, a model loaded (or a filter ticked, or another event view picked) changed the
    titles and boxes but not the panes: the frame on show was the old model's, without the
    filter, and the event pane kept the network window's image under "accumulate + decay".
    Now each makes one frame of the same window with the new setting, and stays paused."""
    from unittest import mock

    from PySide6 import QtWidgets

    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.1, loop=True,
                       window=WindowConfig(mode="duration", window_ms=10.0))
    fv, n = paused_on_a_frame(qtbot, win)
    with mock.patch.object(QtWidgets.QFileDialog, "getOpenFileName", return_value=(str(tiny_ckpt), "")):
        win._checkpoint_dialog()  # (the "Load checkpoint ..." button)
    assert win.session.model_cfg.name == str(tiny_ckpt)
    fv, n = redone(qtbot, win, fv, n)
    win.post_checks["unsharp"].click()
    fv, n = redone(qtbot, win, fv, n)
    assert win.session.post_cfg.steps == ("unsharp",)
    window_image = pane_image(win.event_pane).copy()
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("decay"))
    fv, n = redone(qtbot, win, fv, n)
    qtbot.waitUntil(lambda: not np.array_equal(pane_image(win.event_pane), window_image), timeout=5000)
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("window"))  # its frame's window, at once
    assert np.array_equal(pane_image(win.event_pane), win.last_frame.event_image)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_recording_saved_counts_every_event_written(qtbot, tmp_path, tiny_model):
    """"recording saved (N events)" was counted before the last packet's events were written:
    it said fewer than the file holds (277,422 for 278,851)."""
    import re

    from pipeline_support import read_all

    from evfocus_live.sources import open_source

    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.5, loop=True)
    wait_frames(qtbot, win)
    win.record_button.click()
    assert win.session.recorder.active
    wait_frames(qtbot, win, 3)
    qtbot.waitUntil(lambda: win.session.recorder.n_events > 0, timeout=FRAME_TIMEOUT_MS)  # (a packet written)
    win.record_button.click()
    said = [m for m in win.status_log if m.startswith("recording saved")][-1]
    n_said = int(re.match(r"recording saved \((\d+) events\)", said).group(1))
    path = next((tmp_path / "rec").glob("*.aedat4"))
    src = open_source(str(path))
    assert len(read_all(src)) == n_said > 0
    src.close()
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


def test_a_first_file_that_does_not_open_is_said_once(qtbot, tmp_path, tiny_model, caplog):
    """`evfocus-live folder/`: the log said "is a directory" twice, once alone and once with
    "- showing the simulated camera instead"."""
    from gui_support import make_window as window_on

    with caplog.at_level("WARNING"):
        win = window_on(qtbot, tmp_path, str(tmp_path), tiny_model)
    said = [r.getMessage() for r in caplog.records if "is a directory" in r.getMessage()]
    assert len(said) == 1 and said[0].endswith("showing the simulated camera instead"), said
    assert [m for m in win.status_log if "is a directory" in m] == said
    assert win.session is not None and win.session.source.format == "sim"
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
@pytest.mark.parametrize("camera", ["davis346", "auto"])
def test_picking_a_camera_that_is_not_attached_keeps_the_running_source(qtbot, tmp_path, tiny_model, camera):
    """Replaying (and recording) a file, a pick of a camera that is not plugged in swapped the
    replay for the simulated camera: its place and its recording gone, for a camera that was
    not there. Now it says so and the replay goes on, recording, the camera box empty again."""
    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.5, loop=True)
    wait_frames(qtbot, win)
    sess = win.session
    win.record_button.click()
    assert sess.recorder.active
    i = win.source_combo.findText(camera)
    win.source_combo.setCurrentIndex(i)
    win.source_combo.activated.emit(i)
    assert win.session is sess and sess.source.format == "aedat4", win.status_log
    assert "camera" in win.status_log[-1] and win.status_log[-1].endswith("keeping the current source")
    assert win.source_combo.currentIndex() == -1
    assert sess.recorder.active and win.record_button.isChecked()
    wait_frames(qtbot, win)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_plugin_source_without_a_size_is_a_status_line_not_a_traceback(qtbot, tmp_path, tiny_model):
    """The ROI memory looks the new sensor's size up before the session is built: a plugin
    whose width is None must still be the session's one line, the current source kept."""
    from evfocus_live.sources.base import EventSource

    class NoneSize(EventSource):
        format = "nonesize"
        width = height = None

        def read(self):
            return None

    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    sess = win.session
    assert not win.open_source(NoneSize())
    assert win.session is sess and win.status_log[-1].endswith("keeping the current source"), win.status_log
    wait_frames(qtbot, win)
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


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_recording_that_got_no_event_says_so_and_leaves_no_unreadable_file(qtbot, tmp_path, tiny_model):
    """Record pressed and released on a paused replay (or at a loop's end): "recording saved
    (0 events): x.aedat4" named a file every reader refuses ("contains no events"). Now the
    empty file is removed and the status bar says nothing was saved."""
    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.5, loop=True)
    paused_on_a_frame(qtbot, win)
    win.record_button.click()
    assert win.session.recorder.active
    qtbot.wait(300)
    win.record_button.click()
    assert not win.record_button.isChecked() and not win.session.recorder.active
    assert win.status_log[-1] == "recording stopped: no event arrived while it ran (paused?) - nothing saved"
    assert not list((tmp_path / "rec").glob("*"))
    win.close()


def test_the_recorder_removes_an_event_file_that_got_no_event(tmp_path):
    """The Recorder under both the window and ``evfocus-live --headless --record``."""
    from conftest import make_events

    from evfocus_live.gui.recording import Recorder

    rec = Recorder()
    rec.start(events_path=tmp_path / "none.aedat4", width=346, height=260)
    assert (tmp_path / "none.aedat4").exists()
    assert rec.stop() == [] and not (tmp_path / "none.aedat4").exists() and rec.n_events == 0
    rec.start(events_path=tmp_path / "some.aedat4", width=346, height=260)
    rec.write_events(make_events(100))  # (held for its packet until the stop)
    assert rec.stop() == [tmp_path / "some.aedat4"] and rec.n_events == 100
