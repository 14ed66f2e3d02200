"""Second review of the headless core: slicers, voxel grid, pipeline threads, configs, runtime."""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel
from voxel_reference import reference_voxel

from evfocus_live.config import ModelConfig, SourceConfig, WindowConfig
from evfocus_live.core.voxel import voxel_grid
from evfocus_live.errors import CheckpointError, ConfigError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import Pipeline


def _events(t, x=None, y=None, p=None) -> np.ndarray:
    n = len(t)
    ev = np.zeros(n, EVENT_DTYPE)
    ev["t"] = t
    ev["x"] = np.arange(n) % 7 if x is None else x
    ev["y"] = np.arange(n) % 5 if y is None else y
    ev["p"] = np.arange(n) % 2 if p is None else p
    return ev


# ---------------------------------------------------------------- voxel grid
@pytest.mark.parametrize("backend", ["numba", "torch"])
@pytest.mark.parametrize("B", [1, 5])
def test_voxel_of_one_event_and_of_equal_times(backend, B):
    """The torch backend (the GPU's) raised on a one-event window: a [1, 8] slice of the raw
    records counts as contiguous with its 13-byte row stride, and the dtype view failed."""
    for ev in (_events([5], [1], [2], [1]), _events([7] * 20)):
        for normalize in (False, True):
            got = voxel_grid(ev, B, 7, 5, normalize=normalize, backend=backend)
            np.testing.assert_allclose(got.numpy(), reference_voxel(ev, B, 7, 5, normalize), atol=1e-5)


def test_voxel_backends_agree_on_polarity_values_over_one():
    """Any non-zero p is ON in the numba kernel; the torch one took p * 2 - 1 (p = 255: +509)."""
    ev = _events(np.arange(40), p=np.arange(40) % 3 * 100)  # 0, 100, 200
    a = voxel_grid(ev, 5, 7, 5, normalize=False, backend="numba")
    b = voxel_grid(ev, 5, 7, 5, normalize=False, backend="torch")
    np.testing.assert_allclose(b.numpy(), a.numpy(), atol=1e-5)
    assert float(a.abs().max()) <= 40


# ---------------------------------------------------------------- configs
@pytest.mark.parametrize("make", [
    lambda: WindowConfig(mode="duration", window_ms=float("nan")),
    lambda: WindowConfig(mode="duration", window_ms=float("inf")),
    lambda: WindowConfig(window_ms=-1),
    lambda: WindowConfig(mode="events", window_events=0),
    lambda: WindowConfig(mode="events", window_events=2.5),
    lambda: WindowConfig(events_per_pixel=float("nan")),
    lambda: WindowConfig(events_per_pixel=-0.35),
    lambda: WindowConfig(mode="adaptive", adaptive_max_epp=-1),
    lambda: WindowConfig(num_bins=0),
    lambda: WindowConfig(max_empty_windows=-1),
    lambda: SourceConfig(speed=float("nan")),
    lambda: SourceConfig(speed=-1),
    lambda: SourceConfig(start_s=float("nan")),
    lambda: SourceConfig(start_s=2, end_s=1),
    lambda: ModelConfig(threads=-1),
])
def test_configs_refuse_values_no_run_can_use(make):
    """NaN/inf window lengths were a bare ValueError/OverflowError deep in the slicer; a
    negative events-per-pixel silently made one-event windows; all now one ConfigError."""
    with pytest.raises(ConfigError, match=r"Config\.\w+"):
        make()


def test_configs_keep_their_valid_values():
    assert WindowConfig(mode="events", window_events=np.int64(2000)).window_events == 2000
    assert SourceConfig(speed=0, start_s=0, end_s=0.5).speed == 0
    assert ModelConfig(threads=0).threads == 0


def test_nan_replay_speed_is_refused_not_a_silent_stall():
    """speed=NaN passed every ``speed > 0`` / ``<= 0`` test as False: the reader waited
    forever for a NaN wall-clock target and no frame ever came."""
    ev = make_events(2000, 32, 24, duration_us=100_000)
    with pytest.raises(ConfigError, match="speed"):
        Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=20), model=SumModel(),
                 post=NO_POST, speed=float("nan"))


# ---------------------------------------------------------------- pipeline threads
class _Boom(SumModel):
    def forward(self, voxel):
        if self.calls >= 2:
            raise RuntimeError("boom")
        return super().forward(voxel)


def test_a_model_that_raises_is_one_line_in_synchronous_mode():
    """``frames()`` (``evfocus reconstruct``) let the model's own exception out: a traceback."""
    ev = make_events(4000, 32, 24, duration_us=200_000)
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=20), model=_Boom(),
                    post=NO_POST)
    with pytest.raises(CheckpointError, match=r"^model '_Boom' failed on a 32x24 window: RuntimeError: boom$"):
        list(pipe.frames())


def test_worker_crash_ends_the_run_and_stop_keeps_the_fault():
    """A model raising a plain exception killed the worker, but the reader paced on through
    the whole file (``wait`` blocked, ``running`` stayed True), ``last_fault`` stayed empty,
    and ``stop()`` then overwrote the status with "stopped": the fault vanished."""
    ev = make_events(50_000, 32, 24, duration_us=60_000_000)  # a minute at 1x
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=500), WindowConfig(mode="duration", window_ms=20),
                    model=_Boom(), post=NO_POST, speed=1.0)
    pipe.start()
    assert pipe.wait(10), "the reader went on after the worker died"
    assert pipe.stats.status.startswith("worker error: model '_Boom' failed on a 32x24 window: RuntimeError: boom")
    assert pipe.stats.last_fault == pipe.stats.status
    pipe.stop()
    assert pipe.stats.status.startswith("worker error")
    pipe.close()


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


def test_timestamp_slicer_says_when_the_clock_restarts(caplog):
    """Given frame times are of one clock, so a step back of seconds is not a restart there:
    every later event joined the current window, silently (one window holding the rest)."""
    from evfocus_live.core.slicing import TimestampSlicer

    a = make_events(1000, 32, 24, t0_us=5_000_000, duration_us=100_000)
    b = make_events(1000, 32, 24, t0_us=0, duration_us=100_000, seed=1)
    s = TimestampSlicer([5_050_000, 5_200_000])
    with caplog.at_level("WARNING", logger="evfocus_live.core.slicing"):
        windows = s.push(a) + s.push(b) + s.flush()
    assert "jumped back by 5.1 s" in caplog.text and "given frame times" in caplog.text
    assert len(windows) == 2 and sum(w.n_events for w in windows) == 2000


def test_timestamps_in_seconds_are_refused_not_rounded_to_zero(tmp_path):
    """An E2VID-style file in seconds (0.033333) was rounded to 0 and 1 µs: silently wrong frames."""
    from evfocus_live.core.slicing import read_timestamps
    from evfocus_live.errors import ConfigError
    f = tmp_path / "ts.txt"
    f.write_text("0 0.033333\n1 0.066667\n")
    with pytest.raises(ConfigError, match="whole number of µs"):
        read_timestamps(f)
    f.write_text("0 33333\n1 66667.0\n")
    assert read_timestamps(f).tolist() == [33333, 66667]


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


def test_timestamp_slicer_checks_for_a_restart_once_then_not_on_every_batch(monkeypatch):
    """After a restart with given times the old clock's max stays: every later batch took the
    slow path (three passes) and repeated the warning every 10 s for the rest of the file."""
    from evfocus_live.core.slicing import TimestampSlicer

    s = TimestampSlicer([5_050_000, 5_200_000, 9_000_000])
    calls = []
    real = s._restart_at
    monkeypatch.setattr(s, "_restart_at", lambda b: calls.append(len(b)) or real(b))
    s.push(make_events(1000, 32, 24, t0_us=5_000_000, duration_us=100_000))
    s.push(make_events(1000, 32, 24, t0_us=0, duration_us=100_000, seed=1))  # the restart
    n = len(calls)
    for k in range(5):
        s.push(make_events(100, 32, 24, t0_us=200_000 + k * 100_000, duration_us=100_000, seed=k + 2))
    assert len(calls) == n  # said once; later batches go straight on
    s.reset(None)  # a seek: a new stream, checked again
    s.push(make_events(100, 32, 24, t0_us=5_000_000, duration_us=1000))
    assert len(calls) == n + 1


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
