"""A live camera whose clock restarts twice, the middle clock lost again before it passed the
next clock's first frame: ``--frames-dir`` matched each frame to a clock by its time, so the
next clock's frames took the middle clock's shift (the time away after it lost, out of step
with a ``--record`` file beside them). Each batch's clock number now rides with its events
through the ring and the slicer to the frame (``FrameResult.clock``)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.events import from_arrays
from evfocus_live.gui import app
from evfocus_live.gui.recording import Recorder
from evfocus_live.ringbuffer import EventRingBuffer
from evfocus_live.sources import open_file
from evfocus_live.sources.base import EventSource

W, H = 64, 48
AWAY_S = 0.3
N = 2000  # events of a full batch, 2 µs apart
WINDOW = WindowConfig(mode="events", window_events=800)
#: (first time, events) a batch; None: the camera is away for AWAY_S. Clock A from 2 s; clock B
#: from 0, 300 events 20 µs apart (under a window: no frame of its own before C comes, and past
#: C's first frames' times); clock C from 0
SCRIPT = ([(2_000_000 + i * 5000, N) for i in range(10)] + [None, (0, 300, 20), None]
          + [(i * 5000, N) for i in range(10)])
C_FIRST = 10 * N + 300  # the first of clock C's events in the recording


def _events(t0_us: int, n: int, step_us: int = 2):
    t = t0_us + np.arange(n, dtype=np.int64) * step_us
    return from_arrays(t, t % W, (t // W) % H, t % 2)


class TwiceReopenedCam(EventSource):
    format = "reopened-twice"
    is_live = True

    def __init__(self):
        self.width, self.height = W, H
        self.script = list(SCRIPT)
        self.done = threading.Event()

    def read(self):
        time.sleep(0.005)
        while self.script and self.script[0] is None:
            self.script.pop(0)
            time.sleep(AWAY_S)
        if not self.script:
            self.done.set()
            return np.empty(0, _events(0, 1).dtype)
        return _events(*self.script.pop(0))

    def close(self):
        pass


@pytest.mark.usefixtures("one_torch_thread")
def test_the_third_clocks_frames_take_its_own_shift(tmp_path, tiny_model):
    from evfocus_live.gui.session import LiveSession

    src, rec = TwiceReopenedCam(), Recorder()
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
    with open_file(tmp_path / "r.aedat4") as f:
        events_t = np.concatenate([b["t"] for b in f])
    assert len(events_t) == 20 * N + 300
    assert (np.diff(frames_t) > 0).all(), frames_t
    on_c = frames_t[frames_t > int(events_t[C_FIRST - 1])]
    assert len(on_c) >= 3  # (was: the middle clock's shift, so before C's first recorded event)
    assert on_c[0] >= int(events_t[C_FIRST]) and on_c[-1] <= int(events_t[-1]), (on_c, events_t[C_FIRST])


def test_a_pop_stops_short_of_a_new_clock():
    rb = EventRingBuffer(10_000)
    rb.push(_events(2_000_000, 100))
    rb.set_clock(1)
    rb.push(_events(0, 50))
    rb.push(_events(200, 50))
    rb.set_clock(2)
    rb.push(_events(0, 30))
    got = [rb.pop_clocked() for _ in range(4)]
    assert [(len(ev), clock) for ev, _, clock in got] == [(100, 0), (100, 1), (30, 2), (0, 2)]


def test_a_clock_dropped_on_overflow_is_not_taken_for_the_next():
    rb = EventRingBuffer(100)
    rb.push(_events(2_000_000, 60))
    rb.set_clock(1)
    rb.push(_events(0, 60))  # (20 of clock 0 left)
    rb.set_clock(2)
    rb.push(_events(0, 100))  # (only clock 2's left)
    ev, _, clock = rb.pop_clocked()
    assert (len(ev), clock) == (100, 2)
