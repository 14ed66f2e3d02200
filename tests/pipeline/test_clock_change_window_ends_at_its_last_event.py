"""The window closed at a clock change (a restart the slicer finds, a live camera's new clock the
pipeline is told of) kept its planned end, a full window on: its frame was stamped at a time of
the old clock no event reached, out of step with its events. It now ends 1 µs after its last
event, as a recording's last window does. And ``Pipeline.frames()`` took a live camera's batches
as one clock: its windows ran over a new clock and carried no ``FrameResult.clock``, unlike the
threaded run's."""

from __future__ import annotations

import threading
import time

import numpy as np
from pipeline_support import NO_POST, ArraySource

from evfocus_live.config import WindowConfig
from evfocus_live.core.slicing import AdaptiveSlicer, DurationSlicer
from evfocus_live.events import from_arrays
from evfocus_live.pipeline import Pipeline

W, H = 64, 48


def _events(t0_us: int, n: int, step_us: int = 10):
    t = t0_us + np.arange(n, dtype=np.int64) * step_us
    return from_arrays(t, t % W, (t // W) % H, t % 2)


def test_a_restart_ends_the_open_window_at_its_last_event():
    for slicer in (DurationSlicer(window_ms=10), AdaptiveSlicer(window_ms=10, min_events=1, max_events=10**6)):
        got = slicer.push(_events(5_000_000, 301))  # to 5.003 s: a 10 ms window open
        got += slicer.push(_events(0, 2000))  # the clock from 0 (5 s back)
        assert got[0].t_start_us == 5_000_000
        assert got[0].t_us == 5_003_001, type(slicer).__name__  # (was 5.010 s)
        assert got[1].t_start_us == 0 and got[1].n_events  # the new clock's windows from its first event


class ClockedCam(ArraySource):
    """A live camera whose batches are on the clocks ``clocks`` gives (``clock_epoch``, as the
    viewer's tap has): the clock of the batch read last."""

    def __init__(self, batches: list, clocks: list[int]):
        super().__init__(np.concatenate(batches), W, H, live=True)
        self.batches, self.clocks, self.clock_epoch = list(batches), list(clocks), 0

    def read(self):
        if not self.batches:
            return None
        self.clock_epoch = self.clocks.pop(0)
        return self.batches.pop(0)


def test_frames_end_a_clocks_windows_and_tag_them():
    # clock 0 to 2.0069 s; clock 1 (opened again) 0.5 s back: no restart to the slicer, a new clock
    batches = [_events(2_000_000, 350, 20), _events(1_500_000, 2000, 20)]
    cam = ClockedCam(batches, [0, 1])
    with Pipeline(cam, WindowConfig(mode="duration", window_ms=5), "integrator", NO_POST) as pipe:
        frames = list(pipe.frames())
    clocks = [fr.clock for fr in frames]
    assert clocks == sorted(clocks) and clocks[0] == 0 and clocks[-1] == 1, clocks  # (was all 0)
    last_of_0 = [fr for fr in frames if fr.clock == 0][-1]
    assert last_of_0.t_us == 2_000_000 + 349 * 20 + 1  # (was the 5 ms grid: 2.010 s)
    first_of_1 = [fr for fr in frames if fr.clock == 1][0]
    assert first_of_1.t_start_us == 1_500_000


class LiveClockedCam(ClockedCam):
    """:class:`ClockedCam` that goes on giving nothing (a live camera does not end)."""

    def read(self):
        time.sleep(0.005)
        return super().read() if self.batches else self.events[:0]


def test_the_live_worker_ends_a_clocks_window_at_its_last_event():
    batches = [_events(2_000_000, 350, 20), _events(1_500_000, 2000, 20)]
    got, done = [], threading.Event()

    def on_frame(fr):
        got.append(fr)
        if fr.clock == 1:
            done.set()

    with Pipeline(LiveClockedCam(batches, [0, 1]), WindowConfig(mode="duration", window_ms=5), "integrator",
                  NO_POST) as pipe:
        pipe.max_backlog_windows = 1000  # (every window shown: none skipped to keep up)
        pipe.start(on_frame=on_frame)
        assert done.wait(20)  # (was never: the new clock's events were late ones of the old clock's window)
        pipe.stop()
    last_of_0 = [fr for fr in got if fr.clock == 0][-1]
    assert last_of_0.t_us == 2_000_000 + 349 * 20 + 1  # (was the 5 ms grid: 2.010 s)
    assert [fr for fr in got if fr.clock == 1][0].t_start_us == 1_500_000
