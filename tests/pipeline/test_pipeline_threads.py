"""The threaded Pipeline: start, stop, pause, seek and frames() again; pacing after a clock restart;
paused live sources; the ring it asks for."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.errors import CheckpointError, ConfigError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import DEFAULT_RING_EVENTS, MAX_RING_EVENTS, Pipeline


def test_nan_replay_speed_is_refused_not_a_silent_stall():
    """speed=NaN passed every ``speed > 0`` / ``<= 0`` test as False: the reader waited
    forever for a NaN wall-clock target and no frame ever came."""
    ev = make_events(2000, 32, 24, duration_us=100_000)
    with pytest.raises(ConfigError, match="speed"):
        Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=20), model=SumModel(),
                 post=NO_POST, speed=float("nan"))


class _SlowModel(SumModel):
    def forward(self, voxel):
        time.sleep(0.002)
        return super().forward(voxel)


@pytest.mark.parametrize("speed", [0.0, 4.0])
def test_stop_then_start_loses_no_event(speed):
    """A stop dropped the rest of the reader's batch (up to half a ring at speed 0) and the
    windows the worker had sliced but not shown: a restarted replay had holes."""
    ev = make_events(60_000, 32, 24, duration_us=1_200_000, seed=3)
    frames = []
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=7_000), WindowConfig(mode="events", window_events=500),
                    model=_SlowModel(), post=NO_POST, speed=speed, max_backlog_windows=1000)
    pipe.start(frames.append)
    for _ in range(4):  # stop in the middle, several times
        deadline = time.monotonic() + 5
        n = len(frames)
        while len(frames) < n + 5 and time.monotonic() < deadline:
            time.sleep(0.005)
        pipe.stop()
        pipe.start(frames.append)
    assert pipe.wait(30)
    assert pipe.stats.status == "finished"
    assert pipe.stats.skipped_windows == 0 and pipe.stats.dropped_events == 0
    assert sum(f.n_events for f in frames) == len(ev)
    assert [f.index for f in frames] == list(range(len(frames)))
    t = [f.t_us for f in frames]
    assert t == sorted(t)
    pipe.close()


class _BrokenReset(SumModel):
    def reset_states(self):
        raise RuntimeError("plugin bug")


def test_failed_set_window_and_set_model_change_nothing(monkeypatch):
    """A window or model that could not be made was half applied: ``window_cfg`` said
    "timestamps" while the old slicer ran, and ``model_cfg`` / ``device`` named the failed
    model (with a device change, the old model then ran on the wrong device and every window
    failed), though the viewer said "keeping the current model"."""
    ev = make_events(4000, 32, 24, duration_us=200_000)
    window = WindowConfig(mode="duration", window_ms=20)
    pipe = Pipeline(ArraySource(ev, 32, 24), window, model=SumModel(), post=NO_POST)
    cfg, model, device = pipe.model_cfg, pipe.model, pipe.device
    with pytest.raises(ConfigError, match="timestamps"):
        pipe.set_window(WindowConfig(mode="timestamps"))
    assert pipe.window_cfg is window
    monkeypatch.setattr("evfocus_live.nn.registry.load_model", lambda name, device: _BrokenReset())
    with pytest.raises(CheckpointError, match=r"reset_states\(\) failed: RuntimeError: plugin bug"):  # one line now
        pipe.set_model("broken", device="cpu")
    assert pipe.model_cfg is cfg and pipe.model is model and pipe.device == device
    frames = list(pipe.frames())
    assert len(frames) == 10 and sum(f.n_events for f in frames) == len(ev)


def test_start_while_paused_says_paused_and_resume_plays_it():
    ev = make_events(4000, 32, 24, duration_us=200_000)
    frames = []
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=20), model=SumModel(),
                    post=NO_POST, speed=0)
    pipe.pause()
    pipe.start(frames.append)
    assert pipe.stats.status == "paused"  # was "running", with nothing read
    time.sleep(0.1)
    assert frames == []
    pipe.resume()
    assert pipe.wait(10) and pipe.stats.status == "finished"
    assert sum(f.n_events for f in frames) == len(ev)


def test_threaded_speed_0_gives_one_frame_per_timestamp_past_the_last_event():
    """At speed 0 every window is shown, but the end-of-file flush kept only the last of the
    windows it gave: timestamps after the last event (empty windows) lost all frames but one."""
    ev = make_events(4000, 32, 24, duration_us=200_000)
    ts = np.arange(20_000, 400_001, 20_000)  # the second half after the last event
    frames = []
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="timestamps"), model=SumModel(), post=NO_POST,
                    timestamps_us=ts, speed=0)
    pipe.start(frames.append)
    assert pipe.wait(10)
    assert [f.t_us for f in frames] == ts.tolist()
    assert sum(f.n_events for f in frames) == len(ev)


def test_paced_replay_re_anchors_after_a_clock_restart():
    """After a step back in event time the pacing target lay in the past until the new clock
    passed the old anchor: the rest of a recording with a camera restart played unpaced (the
    worker then skipped most of its windows)."""
    ev = make_events(2000, 32, 24, duration_us=100_000)
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=20), model=SumModel(),
                    post=NO_POST, speed=1.0)
    pipe._anchor = (5_000_000, time.monotonic())  # the first clock, 5 s in
    assert pipe._pace(ev[:10])  # the new clock, back at 0
    assert pipe._anchor[0] == int(ev["t"][0])  # paced from here on, not rushed for 5 s


def test_latency_after_a_clock_restart_is_not_measured_from_the_old_clock():
    """After a step back in time the arrival stamps were unsorted and the search matched the new
    windows to the oldest stamp: the latency grew with the run instead of staying near 0."""
    a = make_events(3000, 32, 24, t0_us=5_000_000, duration_us=100_000)
    b = make_events(3000, 32, 24, t0_us=0, duration_us=100_000, seed=1)
    src = ArraySource(np.concatenate([a, b]), 32, 24, batch=500)
    pipe = Pipeline(src, WindowConfig(mode="duration", window_ms=20), model=SumModel(), post=NO_POST)
    pipe._arrivals.append((5_000_000, time.monotonic() - 100.0))  # a stamp from 100 s ago, old clock
    frames = list(pipe.frames())
    assert frames[-1].t_us < 1_000_000  # (the new clock)
    assert frames[-1].latency_ms < 50_000


def test_paused_live_source_is_drained_not_left_to_overflow():
    """While paused, a live source was not read: a camera's bounded queue overflowed ("dropped
    events") and resume showed a backlog seconds old. It is now drained and its events let go."""
    import threading

    from evfocus_live.sources.base import EventSource

    class ClockedCamera(EventSource):
        """A camera that makes 1 kHz of events into a bounded queue, dropping the oldest."""
        format, width, height = "fake", 32, 24

        @property
        def is_live(self):
            return True

        @property
        def dropped_events(self):
            return self.dropped

        def __init__(self):
            self.t_us, self.queue, self.dropped, self.lock = 0, [], 0, threading.Lock()
            self.t0 = None

        def _produce(self):
            if self.t0 is None:  # the clock starts at the first read, as a camera's stream does
                self.t0 = time.monotonic()
            now_us = int((time.monotonic() - self.t0) * 1e6)
            while self.t_us < now_us:
                self.queue.append(self.t_us)
                self.t_us += 1000
            if len(self.queue) > 200:
                self.dropped += len(self.queue) - 200
                del self.queue[:-200]

        def read(self):
            time.sleep(0.005)
            with self.lock:
                self._produce()
                ts, self.queue = self.queue, []
            ev = np.zeros(len(ts), dtype=EVENT_DTYPE)
            ev["t"] = ts
            ev["x"] = np.arange(len(ts)) % 32
            ev["y"] = np.arange(len(ts)) % 24
            ev["p"] = 1
            return ev

        def close(self):
            pass

    cam = ClockedCamera()
    got = []
    pipe = Pipeline(cam, WindowConfig(mode="duration", window_ms=20), model=SumModel(), post=NO_POST)
    pipe.start(got.append)
    try:
        time.sleep(0.3)
        pipe.pause()
        time.sleep(0.6)  # 600 events made while paused: 3x the camera's queue
        t_resume_us = cam.t_us
        n_before = len(got)
        pipe.resume()
        deadline = time.monotonic() + 5
        while len(got) < n_before + 3 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        pipe.stop()
    # left unread, the pause's 600 events overflow the 200-event queue by 400; drained, a
    # loaded machine (a reader thread not run for a while) may still drop a few dozen
    assert cam.dropped < 200 and pipe.stats.dropped_events < 200
    assert pipe.stats.paused_events >= 300
    # after resume the frames are of now, not of the backlog from the start of the pause
    fresh = [f.t_us for f in got[n_before:]]
    assert fresh and max(fresh) >= t_resume_us - 100_000


def test_paused_live_source_without_its_own_clock_is_not_read_flat_out():
    """Draining a paused live source: one whose read() returns at once (no clock of its own,
    e.g. a plugin camera) was read in a busy loop, a core at 100 % while paused."""
    from evfocus_live.sources.base import EventSource

    class Instant(EventSource):
        format, width, height = "instant", 32, 24

        @property
        def is_live(self):
            return True

        def __init__(self):
            self.reads, self.t = 0, 0

        def read(self):
            self.reads += 1
            self.t += 10
            ev = np.zeros(1, dtype=EVENT_DTYPE)
            ev["t"] = self.t
            return ev

    src = Instant()
    pipe = Pipeline(src, WindowConfig(mode="events", window_events=1000), model=SumModel(), post=NO_POST)
    pipe.pause()
    pipe.start(lambda fr: None)
    try:
        time.sleep(0.2)
        n0 = src.reads
        time.sleep(0.5)
        n = src.reads - n0
    finally:
        pipe.stop()
    assert 0 < n < 300  # a 5 ms wait per batch: ~100; flat out it was tens of thousands


class _GatedModel(SumModel):
    """Its first forward blocks until ``gate`` is set (a slow model's window in hand)."""

    def __init__(self):
        super().__init__()
        self.entered = threading.Event()
        self.gate = threading.Event()

    def forward(self, voxel):
        self.entered.set()
        assert self.gate.wait(30), "gate never opened"
        return super().forward(voxel)


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "evfocus-worker"]


def test_start_after_a_stop_that_timed_out_runs_one_worker_not_two():
    """stop() forgot a worker still inside a slow forward (evfocus-full on a CPU: seconds);
    the next start() cleared the stop flag and that worker ran on beside the new one, two
    consumers of one ring and slicer: frames came out of order (the viewer's source switch
    that fails restarts the old pipeline exactly so)."""
    ev = make_events(20_000, 32, 24, duration_us=400_000, seed=5)
    model = _GatedModel()
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=1_000), WindowConfig(mode="duration", window_ms=10),
                    model=model, post=NO_POST, speed=0, render_events=False)
    frames = []
    before = set(_workers())  # (an earlier test's, still ending: not counted, nor its end)
    pipe.start(frames.append)
    assert model.entered.wait(10)
    pipe.stop(timeout_s=0.01)  # the worker is still in its window
    assert pipe.running  # and says so
    opener = threading.Timer(0.05, model.gate.set)
    opener.start()
    pipe.start(frames.append)  # waits for the old worker to end
    n_workers = len(set(_workers()) - before)
    assert pipe.wait(30)
    opener.join()
    pipe.close()
    assert n_workers == 1
    assert sum(f.n_events for f in frames) == len(ev)
    t = [f.t_us for f in frames]
    assert t == sorted(t) and len(set(t)) == len(t)


def test_seek_after_a_stop_that_timed_out_is_not_left_pending():
    """A seek asked of a stopping reader was a request it never served."""
    ev = make_events(20_000, 32, 24, duration_us=400_000, seed=6)
    model = _GatedModel()
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=1_000), WindowConfig(mode="duration", window_ms=10),
                    model=model, post=NO_POST, speed=0, render_events=False)
    pipe.start()
    assert model.entered.wait(10)
    pipe.stop(timeout_s=0.01)
    opener = threading.Timer(0.05, model.gate.set)
    opener.start()
    t_seek = int(ev["t"][len(ev) // 2])
    pipe.seek(t_seek)
    opener.join()
    assert not pipe.seek_pending
    frames = list(pipe.frames())
    pipe.close()
    assert frames and frames[0].t_start_us == t_seek
    assert sum(f.n_events for f in frames) == int((ev["t"] >= t_seek).sum())


def test_a_huge_count_window_does_not_ask_for_a_huge_ring():
    """WindowConfig(mode="events", window_events=10**9) (a window longer than the recording)
    sized the ring at 4 windows: 48 GiB, a numpy MemoryError traceback. The window's events
    wait in the slicer: the recording is one frame holding every event."""
    ev = make_events(5_000, 32, 24, seed=7)
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="events", window_events=10**9),
                    model=SumModel(), post=NO_POST, speed=0, render_events=False)
    assert DEFAULT_RING_EVENTS <= pipe.ring.capacity <= MAX_RING_EVENTS
    frames = []
    pipe.start(frames.append)
    assert pipe.wait(30)
    pipe.close()
    assert [f.n_events for f in frames] == [len(ev)]
    np.testing.assert_array_equal(frames[0].t_us, ev["t"][-1])


def test_frames_after_a_threaded_stop_goes_on_with_what_the_stop_left():
    """A script that previews a replay threaded, stops, then reconstructs the rest with
    frames() lost the windows the worker had not shown, the ring's events and the reader's
    unpushed batch (22 k of 60 k events in a run), silently: start() went on with them."""
    ev = make_events(30_000, 32, 24, duration_us=600_000, seed=8)
    model = _GatedModel()
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=3_000), WindowConfig(mode="events", window_events=500),
                    model=model, post=NO_POST, speed=0, render_events=False)
    frames = []
    pipe.start(frames.append)
    assert model.entered.wait(10)
    pipe.stop(timeout_s=0.01)
    model.gate.set()
    assert pipe.wait(10)
    assert pipe.ring.fill > 0  # (what this test is about: events were left)
    frames += list(pipe.frames())
    pipe.close()
    assert sum(f.n_events for f in frames) == len(ev)
    assert [f.n_events for f in frames] == [500] * 60
    t = [f.t_us for f in frames]
    assert t == sorted(t)


def test_frames_called_again_after_leaving_the_loop_early_loses_no_window():
    """``for fr in pipe.frames(): ... break`` then a second frames() went on after the batch
    the first had sliced: the windows of it not yet yielded (4 of 118 on the DAVIS file) were
    a silent hole, and the status still said "running"."""
    ev = make_events(20_000, 32, 24, seed=9)
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=10_000), WindowConfig(mode="events", window_events=1_000),
                    model=SumModel(), post=NO_POST, render_events=False)
    frames = []
    for fr in pipe.frames():
        frames.append(fr)
        if len(frames) == 3:
            break
    assert pipe.stats.status == "stopped"
    frames += list(pipe.frames())
    pipe.close()
    assert [f.n_events for f in frames] == [1_000] * 20
    assert [f.index for f in frames] == list(range(20))
    assert pipe.stats.status == "finished"


def test_rewinding_to_zero_replays_the_same_windows_as_the_first_pass():
    """``pipe.seek(0)`` on a recording stamped in epoch µs (the DAVIS file: 1.6e15) began with an
    empty frame stamped 0-33000 µs and cut the rest on a grid anchored at 0: the second pass's
    frames were not the first pass's. (The viewer's ← near the start seeks before it too.)"""
    ev = make_events(20_000, 32, 24, t0_us=1_633_953_690_975_950, duration_us=300_000, seed=11)
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=3_000), WindowConfig(mode="duration", window_ms=33),
                    model=SumModel(), post=NO_POST, render_events=False)
    first = [(f.t_start_us, f.t_us, f.n_events, f.image.tobytes()) for f in pipe.frames()]
    for t_seek in (0, int(ev["t"][0]) - 500_000):
        pipe.seek(t_seek)
        again = [(f.t_start_us, f.t_us, f.n_events, f.image.tobytes()) for f in pipe.frames()]
        assert again == first
    t_mid = int(ev["t"][len(ev) // 2])  # a seek into the data still starts its windows there
    pipe.seek(t_mid)
    assert next(iter(pipe.frames())).t_start_us == t_mid
    pipe.close()
