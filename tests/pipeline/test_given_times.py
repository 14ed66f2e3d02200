"""Frames at given times (``--at``): reading stops after the last one, loops and seeks, capped windows."""

from __future__ import annotations

import logging
import time

import numpy as np
from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.core.slicing import TimestampSlicer
from evfocus_live.pipeline import Pipeline


T_US = [100_000, 200_000, 300_000]  # the first 0.3 s of a 10 s recording


class CountingSource(ArraySource):
    """Counts reads and the furthest event handed out. With ``pipe`` set, a read after the
    last given time has been handed out waits until the pipeline has made that frame (a
    slow disk): the reader cannot outrun the worker and read the rest first."""

    pipe: Pipeline | None = None

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.reads = self.max_pos = self.reads_after_done = 0

    def read(self):
        pipe = self.pipe
        if pipe is not None and pipe.slicer.remaining == 0:
            self.reads_after_done += 1
        if pipe is not None and self.pos and int(self.events["t"][self.pos - 1]) >= T_US[-1]:
            deadline = time.monotonic() + 10
            while pipe.slicer.remaining and time.monotonic() < deadline:
                time.sleep(0.001)
        self.reads += 1
        b = super().read()
        self.max_pos = max(self.max_pos, self.pos)
        return b


def _source(n=200_000):
    return CountingSource(make_events(n, 32, 24, t0_us=0, duration_us=10_000_000), 32, 24, batch=1000)


def _pipe(src, T=T_US, **kw):
    return Pipeline(src, WindowConfig(mode="timestamps"), model=SumModel(), post=NO_POST, timestamps_us=T, **kw)


def test_frames_stops_reading_after_the_last_given_time():
    """--at times covering a recording's first second read the whole recording (an hour)."""
    src = _source()
    frames = list(_pipe(src).frames())
    assert [f.t_us for f in frames] == T_US
    n_needed = int(np.searchsorted(src.events["t"], T_US[-1])) // src.batch + 1
    assert src.reads <= n_needed + 1 and src.max_pos < len(src.events) // 10


def test_threaded_stops_reading_after_the_last_given_time():
    src = _source()
    pipe = _pipe(src, speed=0)
    src.pipe = pipe
    got = []
    pipe.start(got.append)
    assert pipe.wait(timeout_s=20)
    assert [f.t_us for f in got] == T_US and pipe.stats.status == "finished"
    # (one read may begin as the worker makes the last frame: the reader had just looked)
    assert src.reads_after_done <= 1 and src.max_pos < len(src.events) // 10


def test_threaded_loop_replays_the_given_times_without_reading_to_the_end():
    """Looping starts over after the last given time (each pass was the whole file, with no
    frame after the last time)."""
    src = _source()
    pipe = _pipe(src, speed=0)
    pipe.loop = True
    src.pipe = pipe
    got = []
    pipe.start(got.append)
    try:
        deadline = time.monotonic() + 20
        while len(got) < 3 * len(T_US) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        pipe.stop()
    assert [f.t_us for f in got[:3 * len(T_US)]] == T_US * 3
    assert src.max_pos < len(src.events) // 10


def test_threaded_loop_with_no_given_time_in_the_recording_ends():
    """Every time before the events: after the first pass a loop had nothing to wait for and
    would start over and over."""
    src = ArraySource(make_events(20_000, 32, 24, t0_us=5_000_000, duration_us=1_000_000), 32, 24, batch=1000)
    pipe = _pipe(src, speed=0)
    pipe.loop = True
    got = []
    pipe.start(got.append)
    try:
        assert pipe.wait(timeout_s=10), "the loop went on without a frame to make"
    finally:
        pipe.stop()
    assert [f.t_us for f in got] == T_US


def test_seek_back_after_the_last_time_makes_the_frames_again():
    src = _source()
    pipe = _pipe(src)
    assert len(list(pipe.frames())) == 3
    pipe.seek(150_000)
    assert [f.t_us for f in pipe.frames()] == T_US[1:]


def test_timestamp_window_is_cut_at_the_cap_and_keeps_one_frame_per_time(caplog):
    """Two times far apart on a busy sensor: every event between waited in the slicer (an
    hour of them). Now the waiting events are cut off at the cap as windows without a
    frame (the network still sees them): one frame per time stays, nothing is lost."""
    T = [1_000, 10_000_000]
    ev = make_events(50_000, 32, 24, t0_us=0, duration_us=11_000_000)
    ev["t"] = np.arange(len(ev)) * 220  # (distinct times: a cut lies between two events)
    s = TimestampSlicer(T, max_pending_events=5_000)
    out = []
    with caplog.at_level(logging.WARNING, logger="evfocus_live.core.slicing"):
        for i in range(0, len(ev), 1000):
            out += s.push(ev[i:i + 1000])
            assert s._n_pending <= 5_000 + 1000
        out += s.flush()
    frames = [w for w in out if w.frame]
    assert [w.t_us for w in frames] == T
    assert len(out) > 5 and all(not w.frame for w in out[1:-1])
    assert sum(w.n_events for w in out) == int(np.searchsorted(ev["t"], T[-1]))
    assert all(b.t_start_us == a.t_us for a, b in zip(out, out[1:]))  # contiguous
    assert all(w.t_start_us <= w.events["t"].min() for w in out[1:] if w.n_events)
    assert "without a frame" in caplog.text and caplog.text.count("without a frame") == 1  # rate-limited
    s.reset(5_000)
    assert s._cut_us is None and s.remaining == 1


def test_pipeline_feeds_cut_parts_to_the_network_without_frames():
    T = [1_000, 5_000_000]
    ev = make_events(30_000, 32, 24, t0_us=0, duration_us=6_000_000)
    model = SumModel()
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=1000), WindowConfig(mode="timestamps"), model=model,
                    post=NO_POST, timestamps_us=T)
    pipe.slicer.max_pending_events = 3_000
    calls0 = model.calls
    frames = list(pipe.frames())
    assert [f.t_us for f in frames] == T and [f.index for f in frames] == [0, 1]
    assert pipe.stats.frames == 2
    assert model.calls - calls0 > 5  # the cut parts went through the network (its state)
    assert frames[-1].n_events <= 3_000 + 1000
