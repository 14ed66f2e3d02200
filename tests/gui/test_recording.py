"""Recording from the viewer: the Recorder, the event file and the video it writes, and what it says."""

from __future__ import annotations

import numpy as np
import pytest
from cli_support import write_aedat4
from conftest import make_events
from gui_support import FRAME_TIMEOUT_MS, davis_window, paused_on_a_frame, wait_frames



def _packets(path) -> int:
    from evfocus_live.sources.aedat4_file import Aedat4FileSource

    with Aedat4FileSource(path) as src:
        return len(src._offs)


def test_recorder_gathers_small_batches_into_10_ms_packets(tmp_path):
    """The viewer hands the recorder a batch every 2-5 ms (sensor time); one packet each made
    an hour's recording ~1 M packets, header and index entry each. Now ~10 ms packets, and
    every event is in the file after stop()."""
    from evfocus_live.gui.recording import PACKET_US, Recorder
    from evfocus_live.sources import open_file

    ev = make_events(20_000, duration_us=4_000_000, seed=3)  # 4 s
    batches = np.array_split(ev, 2_000)  # 2 ms each
    rec = Recorder()
    rec.start(events_path=tmp_path / "r.aedat4", width=346, height=260)
    for b in batches:
        rec.write_events(b)
    rec.stop()
    assert rec.n_events == len(ev)
    with open_file(tmp_path / "r.aedat4") as src:
        assert np.array_equal(np.concatenate(list(src)), ev)
    packets = _packets(tmp_path / "r.aedat4")
    assert 4_000_000 / PACKET_US / 2 <= packets <= 4_000_000 / PACKET_US + 1, packets


def test_recorder_holds_a_copy_of_a_batch_it_has_not_written(tmp_path):
    """A batch held for the next packet is copied: a source may reuse its array."""
    from evfocus_live.gui.recording import Recorder
    from evfocus_live.sources import open_file

    ev = make_events(100, duration_us=1_000, seed=4)
    rec = Recorder()
    rec.start(events_path=tmp_path / "c.aedat4", width=346, height=260)
    buf = ev.copy()
    rec.write_events(buf)
    buf["x"] = 0  # the source reuses its array
    rec.stop()
    with open_file(tmp_path / "c.aedat4") as src:
        assert np.array_equal(np.concatenate(list(src)), ev)


def test_window_record_to_refuses_the_source_file(qtbot, tmp_path, tiny_model):
    """The Record button makes new names; a caller naming the source's own file is refused
    visibly, and the file is left whole."""
    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.gui.window import MainWindow, ViewerOptions

    rec = write_aedat4(tmp_path / "rec.aedat4")
    before = rec.read_bytes()
    win = MainWindow(ViewerOptions(model_obj=tiny_model, post=PostConfig(steps=()), source=str(rec),
                                   window=WindowConfig(mode="events", window_events=1500),
                                   record_dir=tmp_path / "recs", snapshot_dir=tmp_path))
    qtbot.addWidget(win)
    assert win.session is not None
    assert not win.record_to(rec, None, overwrite=True)
    assert "is the input" in win.status_log[-1]
    assert not win.session.recorder.active and not win.record_button.isChecked()
    win.close()
    assert rec.read_bytes() == before


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_recorded_video_of_an_odd_sensor_keeps_every_row_and_column(tmp_path):
    """The mp4v encoder silently cropped 65x49 frames to 64x48 (as reconstruct's did)."""
    import cv2

    from evfocus_live.gui.recording import VideoSink
    frame = np.zeros((49, 65), np.uint8)
    frame[:, -1] = 255  # the last column and row are what a crop loses
    frame[-1, :] = 255
    sink = VideoSink(tmp_path / "v.mp4", fps=30)
    for k in range(3):
        sink.write(frame, t_us=k * 33_333)
    sink.close()
    cap = cv2.VideoCapture(str(tmp_path / "v.mp4"))
    ok, img = cap.read()
    cap.release()
    assert ok and img.shape[:2] == (50, 66)
    assert img[:49, 64].mean() > 200 and img[48, :65].mean() > 200  # the edges are there


def test_a_smaller_frame_mid_recording_keeps_its_aspect_ratio_in_the_video(tmp_path):
    """An ROI, downsample or source change mid-recording resized later frames to the video's
    first size: a square ROI in a 4:3 video came out stretched. Now it is letterboxed."""
    import cv2
    import numpy as np

    from evfocus_live.gui.recording import VideoSink

    sink = VideoSink(tmp_path / "v.mp4", fps=10)
    sink.write(np.full((48, 64), 200, np.uint8), t_us=0)
    square = np.full((32, 32), 255, np.uint8)
    for k in range(1, 4):
        sink.write(square, t_us=k * 100_000)
    sink.close()
    cap = cv2.VideoCapture(str(tmp_path / "v.mp4"))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f[:, :, 0])
    assert len(frames) >= 3 and frames[-1].shape == (48, 64)
    last = frames[-1].astype(int)
    # the square fills the height, 48x48 in the middle, black bars left and right
    assert last[:, 24:40].mean() > 230
    assert last[:, :4].mean() < 25 and last[:, -4:].mean() < 25


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
    assert win.status_log[-1] == "recording stopped: the replay was paused while it ran - nothing saved"
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
