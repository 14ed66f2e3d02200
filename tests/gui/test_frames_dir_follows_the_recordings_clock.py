"""A live camera opened again with its clock back at 0: ``--frames-dir``'s frame numbers went
on but the times in its timestamps.txt started again from 0, while a ``--record`` file beside it
was written on after the time the camera was away: frames and recorded events no longer lined
up. A live camera's frames now take the recording's shift (``ClockShift``, shared)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.events import from_arrays
from evfocus_live.gui import app
from evfocus_live.gui.recording import ClockShift, Recorder
from evfocus_live.sources import open_file
from evfocus_live.sources.base import EventSource

W, H = 64, 48
AWAY_S = 0.4
N = 2000  # events a batch, 2 µs apart
WINDOW = WindowConfig(mode="events", window_events=800)


def _events(t0_us: int):
    t = t0_us + np.arange(N, dtype=np.int64) * 2
    return from_arrays(t, t % W, (t // W) % H, t % 2)


class ReopenedCam(EventSource):
    """A live camera: batches from 2 s on its clock, nothing for ``AWAY_S``, then batches on a
    clock from 0 (opened again), then nothing more."""

    format = "reopened"
    is_live = True

    def __init__(self):
        self.width, self.height = W, H
        self.script = [2_000_000 + i * 5000 for i in range(20)] + [None] + [i * 5000 for i in range(20)]
        self.done = threading.Event()

    def read(self):
        time.sleep(0.005)
        if not self.script:
            self.done.set()
            return np.empty(0, _events(0).dtype)
        t0 = self.script.pop(0)
        if t0 is None:
            time.sleep(AWAY_S)
            t0 = self.script.pop(0)
        return _events(t0)

    def close(self):
        pass


def _run(tmp_path, tiny_model, record: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """(frame times in timestamps.txt, recorded event times or None)."""
    from evfocus_live.gui.session import LiveSession

    src, rec = ReopenedCam(), Recorder()
    if record:  # (as headless --record: started before the session)
        rec.start(events_path=tmp_path / "r.aedat4", width=W, height=H)
    s = LiveSession(src, WINDOW, post=PostConfig(steps=()), model_obj=tiny_model, recorder=rec)
    s.frame_sink = sink = app._FrameSink(FrameFolder(tmp_path / "frames"))
    s.start()
    try:
        assert src.done.wait(60.0)
    finally:
        s.stop()
        sink.close()
    lines = (tmp_path / "frames" / "timestamps.txt").read_text().splitlines()
    frames_t = np.array([int(line.split()[1]) for line in lines], np.int64)
    if not record:
        return frames_t, None
    with open_file(tmp_path / "r.aedat4") as f:
        return frames_t, np.concatenate([b["t"] for b in f])


@pytest.mark.usefixtures("one_torch_thread")
def test_frames_and_recording_share_the_clock_after_a_reopen(tmp_path, tiny_model):
    frames_t, events_t = _run(tmp_path, tiny_model, record=True)
    assert len(frames_t) > 10 and (np.diff(frames_t) > 0).all(), frames_t  # (was: back to ~0)
    first_after_gap_us = int(events_t[20 * N])
    after = frames_t[frames_t > int(events_t[20 * N - 1])]
    assert len(after) and after[0] >= first_after_gap_us and after[-1] <= int(events_t[-1])


@pytest.mark.usefixtures("one_torch_thread")
def test_frames_alone_keep_the_time_away(tmp_path, tiny_model):
    frames_t, _ = _run(tmp_path, tiny_model, record=False)
    assert (np.diff(frames_t) > 0).all(), frames_t
    assert int(np.diff(frames_t).max()) >= (AWAY_S - 0.05) * 1e6


def test_a_clock_that_made_no_frame_is_passed_over():
    """Lost again before a window was made on its clock: the next clock's shift, not that one's."""
    clock = ClockShift(say=False)
    clock.advance(_events(2_000_000), wall_s=10.0)
    assert clock.frame_time_us(2_003_000, clock.clock) == 2_003_000
    clock.advance(_events(0), wall_s=11.0)  # 2000 events to 3998 µs, then lost
    clock.advance(_events(0), wall_s=13.0)
    clock.advance(_events(4000), wall_s=13.01)
    shifted = clock.frame_time_us(7000, clock.clock)
    assert shifted == 7000 + clock.shift_us and shifted > 2_003_998 + 2_900_000
