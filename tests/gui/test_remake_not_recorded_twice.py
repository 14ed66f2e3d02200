"""A recording made while a paused (or ended) replay's frame is remade for a new setting holds
each event once: the remake reads the window on show again (a seek back to its start), and
those events, and the ones the reader had read ahead before the pause, were written a second
time (shifted on, as after a jump back), and the remade frame was added to the video."""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import make_events
from pipeline_support import ArraySource, read_all

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.gui.recording import Recorder
from evfocus_live.sources import open_source

W, H = 64, 48
#: the longest any one step may take on a loaded 2-core machine (a bound, never a measurement)
STEP_S = 60.0


def wait_for(cond, what: str) -> None:
    deadline = time.monotonic() + STEP_S
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def source_events() -> np.ndarray:
    ev = make_events(40_000, W, H, t0_us=1_000_000, duration_us=2_000_000, seed=7)
    ev["t"][1000:1010] = ev["t"][1000]  # (ties: a run of events at one time)
    return ev


def paused_session(tiny_model, tmp_path, ev):
    """A paused replay, recorded from its first event, showing its first window (as after a seek
    while paused): the reader has read on past the window before pausing."""
    from evfocus_live.gui.session import LiveSession

    s = LiveSession(ArraySource(ev, W, H, batch=3000), WindowConfig(mode="events", window_events=2000),
                    post=PostConfig(steps=()), model_obj=tiny_model, speed=1.0, loop=False, recorder=Recorder())
    s.recorder.start(events_path=tmp_path / "r.aedat4", video_path=tmp_path / "r.mp4", width=W, height=H)
    s.pause()
    s.start()
    wait_for(lambda: s.range_ready.is_set(), "the time range")
    s.seek(int(ev["t"][0]))
    shown(s, 1)
    return s


def shown(s, n: int) -> None:
    """Wait until ``n`` frames have been shown and the replay is paused on the last one."""
    wait_for(lambda: s.frames_done >= n and s.paused and not s.pausing and not s.pipeline.seek_pending,
             f"frame {n}")


def played_to_the_end(s) -> int:
    """Play on as fast as possible to the end; the session's passes then."""
    s.set_speed(0.0)
    s.resume()
    wait_for(lambda: s.ended, "the end of the replay")
    return s.passes


def recorded(path) -> np.ndarray:
    src = open_source(str(path))
    try:
        return read_all(src)
    finally:
        src.close()


def as_rows(ev: np.ndarray) -> np.ndarray:
    """(t, x, y, p) rows in one order, whatever order ties were written in."""
    rows = np.stack([ev[k].astype(np.int64) for k in ("t", "x", "y", "p")], axis=1)
    return rows[np.lexsort(rows.T[::-1])]


@pytest.mark.usefixtures("one_torch_thread")
def test_a_remade_frame_while_recording_writes_each_event_once_and_no_video_frame(tiny_model, tmp_path):
    ev = source_events()
    s = paused_session(tiny_model, tmp_path, ev)
    try:
        fv = s.last_frame
        assert s.t_us > fv.t_us  # (the reader read past the window on show: those are recorded too)
        frames = s.recorder.n_frames
        assert s.set_post(("unsharp",))
        s.redo()
        shown(s, 2)
        assert (s.last_frame.t_start_us, s.last_frame.t_us) == (fv.t_start_us, fv.t_us)
        assert s.set_window(WindowConfig(mode="events", window_events=1000))  # (a smaller window: ends earlier)
        s.redo()
        shown(s, 3)
        assert s.recorder.n_frames == frames  # the remade frames are not added to the video
        s.set_speed(0.0)
        s.resume()
        wait_for(lambda: s.ended, "the end of the replay")
        assert s.recorder.n_frames > frames
    finally:
        s.stop()
    got = recorded(tmp_path / "r.aedat4")
    assert len(got) == len(ev)
    np.testing.assert_array_equal(as_rows(got), as_rows(ev))  # each once, at its own time (none shifted)


@pytest.mark.usefixtures("one_torch_thread")
def test_a_remake_at_the_end_of_a_recorded_replay_writes_nothing_again(tiny_model, tmp_path):
    ev = source_events()
    s = paused_session(tiny_model, tmp_path, ev)
    try:
        passes = played_to_the_end(s)
        frames = s.recorder.n_frames
        assert s.set_post(("unsharp",))
        s.redo()
        wait_for(lambda: s.passes > passes and s.ended, "the remade end")
        assert s.recorder.n_frames == frames
    finally:
        s.stop()
    got = recorded(tmp_path / "r.aedat4")
    np.testing.assert_array_equal(as_rows(got), as_rows(ev))


@pytest.mark.usefixtures("one_torch_thread")
def test_a_seek_back_while_recording_is_still_recorded_as_played_on(tiny_model, tmp_path):
    """An explicit seek back (the slider, an arrow key) is not a remake: what is played again is
    recorded again, its times shifted on (unchanged)."""
    ev = source_events()
    s = paused_session(tiny_model, tmp_path, ev)
    try:
        passes = played_to_the_end(s)
        s.seek(int(ev["t"][0]))
        wait_for(lambda: s.passes > passes and s.ended, "the end of the second pass")
    finally:
        s.stop()
    got = recorded(tmp_path / "r.aedat4")
    assert len(got) == 2 * len(ev)
    assert np.all(np.diff(got["t"].astype(np.int64)) >= 0) and int(got["t"][-1]) > int(ev["t"][-1])


def test_the_recorder_leaves_out_what_a_remake_reads_again_up_to_the_furthest_written(tmp_path):
    """The mechanism, in read order: events before the furthest time written, and as many at that
    time as were written (a run of equal times the pause cut), then all; frames up to the video's
    last. The next seek that is no remake ends it."""
    ev = source_events()[:3000]
    ev["t"][1990:2010] = ev["t"][1990]  # a run of 20 equal times, cut after its 10th
    rec = Recorder()
    rec.start(events_path=tmp_path / "r.aedat4", video_path=tmp_path / "r.mp4", width=W, height=H)
    frame = np.zeros((H, W), np.uint8)
    rec.write_events(ev[:2000])
    rec.write_frame(frame, int(ev["t"][1500]))
    frames = rec.n_frames
    rec.source_sought(True)  # a remake from the 1000th event
    for i in range(1000, 3000, 7):  # (read again in other batches)
        rec.write_events(ev[i:i + 7])
    rec.write_frame(frame, int(ev["t"][1500]))  # the remade frame
    assert rec.n_frames == frames
    rec.write_frame(frame, int(ev["t"][2500]))  # one played on
    assert rec.n_frames > frames
    rec.source_sought(False)  # a user's seek back: recorded again, shifted on
    rec.write_events(ev[:100])
    rec.stop()
    got = recorded(tmp_path / "r.aedat4")
    np.testing.assert_array_equal(as_rows(got[:3000]), as_rows(ev))
    assert len(got) == 3100 and int(got["t"][3000]) == int(ev["t"][-1]) + 1
