"""Headless pipeline: real recordings, determinism, windows, faults, threads, seek."""

from __future__ import annotations

import logging
import threading
import time

import numpy as np
import pytest
from conftest import REAL_FILES, make_events
from pause_support import clock, loop_s, looped, played_s  # noqa: F401 (clock: a fixture)
from pipeline_support import NO_POST, ArraySource, FlakyLiveSource, SumModel

from evfocus_live.config import ModelConfig, PostConfig, SourceConfig, WindowConfig
from evfocus_live.core.slicing import make_slicer
from evfocus_live.errors import CheckpointError, InputError
from evfocus_live.pipeline import FrameResult, Pipeline
from evfocus_live.sources import open_source


def expected_duration_frames(t_first, t_last, window_us):
    return (t_last - t_first) // window_us + 1


@pytest.mark.parametrize("name,window_ms", [("davis346", 10.0), ("evt3", 3.0), ("evt2", 5.0)])
def test_real_recordings(name, window_ms):
    info = REAL_FILES[name]
    W, H = info["width"], info["height"]

    def run():
        with open_source(info["path"]) as src:
            pipe = Pipeline(src, WindowConfig(mode="duration", window_ms=window_ms), model=SumModel(),
                            post=PostConfig(steps=("auto_hdr",)))
            return list(pipe.frames()), pipe

    frames, pipe = run()
    n_expected = expected_duration_frames(info["t_first_us"], info["t_last_us"], int(window_ms * 1000))
    assert len(frames) == n_expected
    assert sum(f.n_events for f in frames) == info["events"]
    assert [f.index for f in frames] == list(range(n_expected))
    ts = [f.t_us for f in frames]
    assert ts[0] == min(info["t_first_us"] + int(window_ms * 1000), info["t_last_us"] + 1)
    assert np.all(np.diff(ts[:-1]) == int(window_ms * 1000))
    assert ts[-1] == info["t_last_us"] + 1  # the last, partial window ends after its last event, not past it
    for f in frames:
        assert f.image.shape == (H, W) and f.image.dtype == np.uint8
        assert f.event_image.shape == (H, W, 3) and f.event_image.dtype == np.uint8
        assert f.sigma.shape == (H, W)
    busy = [f for f in frames if f.n_events > 1000]
    assert busy and all(f.image.std() > 10 for f in busy), "frames must have structure, not be flat"
    assert pipe.stats.frames == n_expected and pipe.stats.events_total == info["events"]
    frames2, _ = run()  # same input -> same frames on CPU
    assert all(np.array_equal(a.image, b.image) for a, b in zip(frames, frames2))


def test_count_windows_default_epp_any_sensor_size():
    W, H = 1280, 720
    ev = make_events(700_000, width=W, height=H, duration_us=200_000)
    pipe = Pipeline(ArraySource(ev, W, H, batch=100_000), WindowConfig(mode="events"), model=SumModel(),
                    post=NO_POST)
    frames = list(pipe.frames())
    n = round(0.35 * W * H)
    assert [f.n_events for f in frames] == [n, n, 700_000 - 2 * n]
    assert frames[0].image.shape == (H, W)


def test_timestamps_mode_one_frame_per_timestamp():
    ev = make_events(20_000, width=64, height=48, duration_us=100_000)
    T = np.array([1000, 5000, 5000, 40_000, 99_000, 250_000])
    pipe = Pipeline(ArraySource(ev, 64, 48, batch=3000), WindowConfig(mode="timestamps"), model=SumModel(),
                    post=NO_POST, timestamps_us=T)
    frames = list(pipe.frames())
    assert [f.t_us for f in frames] == T.tolist()
    t = ev["t"]
    edges = [-1] + T.tolist()
    assert [f.n_events for f in frames] == [int(np.sum((t >= a) & (t < b))) for a, b in zip(edges, edges[1:])]
    assert frames[2].n_events == 0  # a repeated timestamp still gets its (empty) frame


def test_source_config_range_and_model_name_errors():
    info = REAL_FILES["evt2"]
    cfg = SourceConfig(spec=str(info["path"]), start_s=0.01, end_s=0.03)
    pipe = Pipeline(cfg, WindowConfig(mode="duration", window_ms=5), model=SumModel(), post=NO_POST)
    frames = list(pipe.frames())
    t0 = info["t_first_us"]
    assert len(frames) == 4
    assert frames[0].t_start_us >= t0 + 10_000 and frames[-1].t_us <= t0 + 30_000
    pipe.close()
    with pytest.raises(CheckpointError):
        Pipeline(ArraySource(make_events(10), 346, 260), model=ModelConfig(name="no-such-model", device="cpu"))
    with pytest.raises(CheckpointError):
        Pipeline(ArraySource(make_events(10), 346, 260), model=ModelConfig(name="/nonexistent/model.pt"))
    with pytest.raises(CheckpointError):
        Pipeline(ArraySource(make_events(10), 346, 260), model=object())


def test_nan_output_drops_frame_resets_and_warns_once(caplog):
    ev = make_events(30_000, width=32, height=24, duration_us=100_000)
    model = SumModel(nan_at={2, 4})
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=10), model=model,
                    post=NO_POST)
    resets_before = model.resets
    with caplog.at_level(logging.WARNING, logger="evfocus_live.pipeline"):
        frames = list(pipe.frames())
    assert len(frames) == 10 - 2 and pipe.stats.nan_frames == 2 and "NaN" in pipe.stats.last_fault
    assert model.resets - resets_before == 2
    assert sum("NaN" in r.getMessage() for r in caplog.records) == 1
    assert all(np.isfinite(f.image).all() for f in frames)


def test_oom_falls_back_to_cpu():
    ev = make_events(5000, width=32, height=24, duration_us=30_000)
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=10),
                    model=SumModel(oom_at={1}), post=NO_POST)
    frames = list(pipe.frames())
    assert len(frames) == 3
    assert "out of memory" in pipe.stats.last_fault and pipe.stats.device == "cpu"
    assert pipe.device.type == "cpu"


def test_file_source_error_mid_stream_is_one_line_input_error():
    class Broken(ArraySource):
        def read(self):
            if self.pos > 10_000:
                raise ValueError("corrupt block at byte 1234")
            return super().read()

    pipe = Pipeline(Broken(make_events(30_000), 346, 260), WindowConfig(mode="duration", window_ms=5),
                    model=SumModel(), post=NO_POST)
    with pytest.raises(InputError, match="corrupt block") as exc:
        list(pipe.frames())
    assert "\n" not in str(exc.value)
    assert pipe.stats.source_errors == 1 and pipe.stats.status.startswith("source error")


def test_threaded_file_fault_still_shows_every_event_read_before_it():
    """A recording that turns corrupt mid-stream (threaded mode, as the viewer runs it): the
    reader stops at once, but the windows of the events it had read are still processed — with
    the state they built — before the pipeline reports itself drained; the fault stays the
    status (not "finished")."""

    class Broken(ArraySource):
        def read(self):
            if self.pos >= 15_000:
                raise ValueError("corrupt block at byte 1234")
            return super().read()

    class SlowModel(SumModel):  # the reader meets the fault long before the worker is done
        def forward(self, voxel):
            time.sleep(0.02)
            return super().forward(voxel)

    ev = make_events(30_000, duration_us=300_000)
    model = SlowModel()
    got: list[FrameResult] = []
    pipe = Pipeline(Broken(ev, 346, 260, batch=5000), WindowConfig(mode="duration", window_ms=20),
                    model=model, post=NO_POST)
    resets0 = model.resets
    pipe.start(got.append)
    assert pipe.wait(timeout_s=20) and pipe.drained
    assert pipe.stats.status.startswith("source error") and "corrupt block" in pipe.stats.status
    t_last_read = int(ev["t"][14_999])
    assert got and got[-1].t_us >= t_last_read  # up to the last event read: nothing lost
    # every window up to that event accounted for: shown, or skipped by the backlog bound
    assert pipe.stats.frames == len(got) and pipe.stats.frames + pipe.stats.skipped_windows == t_last_read // 20_000 + 1
    assert model.resets == resets0 and model.calls == len(got)  # one state carried throughout
    assert all(b.t_us > a.t_us for a, b in zip(got, got[1:]))


def test_events_the_source_dropped_count_as_dropped():
    """A camera driver's queue overflow (or the simulator's) is a loss too: it reaches the
    'dropped' readout beside the ring's own."""
    class Overflowing(ArraySource):
        dropped_events = 1234

    ev = make_events(20_000, width=32, height=24, duration_us=200_000)
    pipe = Pipeline(Overflowing(ev, 32, 24, batch=5000, live=True), WindowConfig(mode="duration", window_ms=20),
                    model=SumModel(), post=NO_POST)
    frames = list(pipe.frames())
    assert frames and pipe.stats.dropped_events == 1234 + pipe.ring.dropped


def test_live_source_fault_resets_state_and_reconnects():
    ev = make_events(40_000, width=32, height=24, duration_us=400_000)
    made, old_closed_first = [], []

    def factory():
        # the first camera dies after 3 reads; the "reconnected" one continues with later events
        if made:  # the dead handle may hold the USB device the new one needs: closed first
            old_closed_first.append(made[-1].closed)
        src = FlakyLiveSource(ev[len(made) * 15_000:], 32, 24, batch=5000, fail_after=3 if not made else 10**9)
        made.append(src)
        return src

    model = SumModel()
    pipe = Pipeline(factory, WindowConfig(mode="duration", window_ms=20), model=model, post=NO_POST)
    resets0 = model.resets
    frames = list(pipe.frames())
    assert len(made) == 2 and made[0].closed and old_closed_first == [True]
    assert pipe.stats.source_errors == 1 and pipe.stats.reconnects == 1
    assert "camera unplugged" in pipe.stats.last_fault
    assert model.resets > resets0
    assert "reconnected" in pipe.stats.status or pipe.stats.status == "finished"
    assert frames and frames[-1].t_us >= int(ev["t"][-1])
    assert all(b.t_us > a.t_us for a, b in zip(frames, frames[1:]))


def test_seek_reset_and_setters():
    ev = make_events(50_000, width=40, height=30, duration_us=500_000)
    model = SumModel()
    pipe = Pipeline(ArraySource(ev, 40, 30), WindowConfig(mode="duration", window_ms=50), model=model,
                    post=NO_POST)
    it = pipe.frames()
    first = [next(it) for _ in range(3)]
    r = model.resets
    pipe.seek(300_000)
    assert model.resets == r + 1
    rest = list(pipe.frames())
    assert rest[0].t_start_us >= 300_000 and rest[-1].t_us >= int(ev["t"][-1])
    assert first[-1].index < rest[0].index
    pipe.reset_state()
    assert model.resets == r + 2
    pipe.set_window(WindowConfig(mode="events", window_events=1000))
    pipe.seek(0)
    assert all(f.n_events == 1000 for f in list(pipe.frames())[:-1])
    other = SumModel()
    pipe.set_model(other)
    assert pipe.model is other and other.resets >= 1
    pipe.set_post(PostConfig(steps=("auto_hdr", "unsharp")))
    assert len(pipe.frame_filters) == 2


def test_threaded_paced_replay_and_stats():
    ev = make_events(60_000, width=64, height=48, duration_us=300_000)
    got: list[FrameResult] = []
    pipe = Pipeline(ArraySource(ev, 64, 48, batch=20_000), WindowConfig(mode="duration", window_ms=20),
                    model=SumModel(), post=NO_POST, speed=2.0)
    t0 = time.monotonic()
    assert not pipe.running
    pipe.start(got.append)
    assert pipe.running
    assert pipe.wait(timeout_s=10)
    wall = time.monotonic() - t0
    pipe.stop()
    assert not pipe.running
    assert 0.1 < wall < 5, "paced at 2x real time: 0.3 s of sensor time takes ~0.15 s"
    assert len(got) >= 3 and pipe.latest is got[-1]
    assert pipe.stats.frames + pipe.stats.skipped_windows == 15  # every window is accounted for
    assert all(b.t_us > a.t_us for a, b in zip(got, got[1:]))
    assert pipe.stats.events_total == len(ev) and pipe.stats.status == "finished"
    assert pipe.stats.latency_ms >= 0 and pipe.stats.infer_ms > 0


def test_threaded_overload_drops_and_stays_bounded():
    """A live producer far faster than the model: the ring drops the oldest, windows are skipped."""

    class SlowModel(SumModel):
        def forward(self, voxel):
            time.sleep(0.01)
            return super().forward(voxel)

    ev = make_events(400_000, width=64, height=48, duration_us=2_000_000)
    got = []
    pipe = Pipeline(ArraySource(ev, 64, 48, batch=50_000, live=True), WindowConfig(mode="duration", window_ms=1),
                    model=SlowModel(), post=NO_POST, speed=0, ring_capacity=60_000)
    pipe.start(got.append)
    fills = []
    while pipe.wait(timeout_s=0.01) is False:
        fills.append(pipe.ring.fill)
    pipe.stop()
    assert max(fills, default=0) <= 60_000
    assert pipe.stats.dropped_events > 0 or pipe.stats.skipped_windows > 0
    assert len(got) < 2000  # far fewer frames than windows: nothing queued up
    assert got and all(b.t_us > a.t_us for a, b in zip(got, got[1:]))


@pytest.mark.parametrize("window", [WindowConfig(mode="duration", window_ms=10),
                                    WindowConfig(mode="events", window_events=2_000)])
def test_file_at_full_speed_is_held_back_and_loses_no_window(window):
    """A file read "as fast as possible" into a small ring, past a slow model: the reader
    waits for inference (back-pressure in the pipeline, not only in the viewer), so nothing
    is dropped and every window the slicer makes is reconstructed."""

    class SlowModel(SumModel):
        def forward(self, voxel):
            time.sleep(0.002)
            return super().forward(voxel)

    ev = make_events(120_000, width=64, height=48, duration_us=1_000_000)
    expect = make_slicer(window, 64, 48)
    n_windows = len(expect.push(ev)) + len(expect.flush())
    got = []
    pipe = Pipeline(ArraySource(ev, 64, 48, batch=50_000), window, model=SlowModel(), post=NO_POST,
                    speed=0, ring_capacity=20_000)
    assert pipe.backpressure_events() <= 10_000  # half the ring at most
    pipe.start(got.append)
    fills = []
    while pipe.wait(timeout_s=0.005) is False:
        fills.append(pipe.ring.fill)
    pipe.stop()
    assert pipe.stats.dropped_events == 0 and pipe.stats.skipped_windows == 0
    assert max(fills) <= 20_000 and len(got) == n_windows > 50
    assert all(b.t_us > a.t_us for a, b in zip(got, got[1:]))


def test_full_speed_waits_out_a_slow_window_instead_of_dropping():
    """At speed 0 the reader waits as long as the worker is busy (a full-width model on a CPU
    takes seconds per window): it once gave up after 2 s of no progress and overfilled the ring."""

    class StallOnce(SumModel):
        calls = 0

        def forward(self, voxel):
            StallOnce.calls += 1
            if StallOnce.calls == 2:
                time.sleep(4.5)
            return super().forward(voxel)

    ev = make_events(40_000, width=64, height=48, duration_us=1_000_000)
    window = WindowConfig(mode="events", window_events=1_000)
    got = []
    pipe = Pipeline(ArraySource(ev, 64, 48, batch=20_000), window, model=StallOnce(), post=NO_POST,
                    speed=0, ring_capacity=20_000)
    pipe.start(got.append)
    assert pipe.wait(timeout_s=60)
    pipe.stop()
    assert pipe.stats.dropped_events == 0 and len(got) == 40


def test_threaded_seek_pause_resume_stop():
    ev = make_events(200_000, width=32, height=24, duration_us=5_000_000)
    got = []
    lock = threading.Lock()

    def on_frame(fr):
        with lock:
            got.append(fr)

    pipe = Pipeline(ArraySource(ev, 32, 24, batch=2000), WindowConfig(mode="duration", window_ms=20),
                    model=SumModel(), post=NO_POST, speed=5.0)
    pipe.start(on_frame)
    time.sleep(0.3)
    pipe.pause()
    time.sleep(0.1)
    with lock:
        n_paused = len(got)
    time.sleep(0.2)
    with lock:
        assert len(got) <= n_paused + 2  # paused: the reader stops
    pipe.resume()
    pipe.seek(4_000_000)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with lock:
            if got and got[-1].t_start_us >= 4_000_000:
                break
        time.sleep(0.02)
    pipe.stop()
    assert not pipe._threads_alive()
    with lock:
        assert got[-1].t_start_us >= 4_000_000


def test_threaded_loop_replays_and_resets_state():
    ev = make_events(20_000, width=32, height=24, duration_us=100_000)
    got = []
    model = SumModel()
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=4000), WindowConfig(mode="duration", window_ms=10),
                    model=model, post=NO_POST, speed=4.0)
    pipe.loop = True
    pipe.start(got.append)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(b.t_us < a.t_us for a, b in zip(got, got[1:])):
        time.sleep(0.02)
    pipe.stop()
    assert any(b.t_us < a.t_us for a, b in zip(got, got[1:])), "the recording must have restarted"
    assert model.resets >= 2  # construction + the loop's seek
    assert pipe.stats.status == "stopped"


def test_loop_keeps_the_replay_speed(clock):
    """Each pass used to add its tail flush and seek (~20 ms) to the clip's own length: a
    0.1 s clip looped at speed 2 made 43 passes where 60 were asked. The replay clock now
    runs on across the seek, so the passes keep the asked rate when the model keeps up. The
    wall clock is faked (a count of passes in 2 s of wall time fell to 26 of 41 with the
    test's cores busy, as beside another test under pytest-xdist): here the flush and seek
    take 0.2 s, and the next pass makes them up."""
    pipe = looped(clock, 1_000_002)  # 1 s in, at its last event (no pause after it)
    seek = pipe._do_seek

    def slow_seek(t_us):
        clock.now += 0.2
        seek(t_us)

    pipe._do_seek = slow_seek
    assert loop_s(pipe, clock) == pytest.approx(0.2)
    assert played_s(pipe, clock, 0) == 0  # late already: no wait
    assert played_s(pipe, clock, 500_000) == pytest.approx(0.3, abs=0.005)  # (0.5 with the clock started anew)
    assert played_s(pipe, clock, 1_000_000) == pytest.approx(0.5, abs=0.005)


def test_threaded_loop_shows_a_recording_shorter_than_one_window_and_keeps_every_event():
    """Looping used to seek back as soon as the reader hit the end: the ring was cleared
    and the slicer reset, so each pass lost its tail and a recording shorter than one
    window (the Gen4.1 street clip in the viewer) never showed a frame."""
    ev = make_events(3_000, width=32, height=24, duration_us=9_000)
    got = []
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=700), WindowConfig(mode="events", window_events=10_000),
                    model=SumModel(), post=NO_POST, speed=1.0)
    pipe.loop = True
    pipe.start(got.append)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(got) < 3:
        time.sleep(0.02)
    pipe.stop()
    assert len(got) >= 3, "one frame per pass of a short looping recording"
    assert all(fr.n_events == len(ev) for fr in got)  # each pass whole: nothing cleared at the seek


def test_event_filters_run_before_slicing():
    ev = make_events(30_000, width=40, height=30, duration_us=2_000_000)
    hot = np.sort(np.concatenate([ev, make_events(20_000, width=1, height=1, duration_us=2_000_000, seed=9)]),
                  order="t", kind="stable")  # pixel (0, 0) is hot
    post = PostConfig(steps=("hot_pixels",), options={"hot_pixels": {"learn_s": 0.5}})
    pipe = Pipeline(ArraySource(hot, 40, 30), WindowConfig(mode="duration", window_ms=500), model=SumModel(),
                    post=post)
    frames = list(pipe.frames())
    assert pipe.event_filters[0].hot_pixels.tolist() == [[0, 0]]
    late = sum(f.n_events for f in frames[2:])
    assert late < np.sum(hot["t"] >= 1_000_000) - 5000  # the hot pixel's events are gone


def test_resolution_change_on_reconnect_and_set_source():
    made = []

    def factory():
        size = (32, 24) if not made else (48, 40)
        src = FlakyLiveSource(make_events(20_000, *size, duration_us=200_000, seed=len(made)), *size,
                              batch=5000, fail_after=2 if not made else 10**9)
        made.append(src)
        return src

    pipe = Pipeline(factory, WindowConfig(mode="duration", window_ms=20), model=SumModel(), post=NO_POST)
    shapes = {f.image.shape for f in pipe.frames()}
    assert shapes == {(24, 32), (40, 48)} and (pipe.width, pipe.height) == (48, 40)
    pipe.set_source(ArraySource(make_events(5000, 20, 10), 20, 10))
    assert made[1].closed
    assert {f.image.shape for f in pipe.frames()} == {(10, 20)}


def test_a_command_waits_for_one_window_not_a_whole_ring_pop():
    """At speed 0 one ring pop of a file holds every window of it; the worker held the lock
    through all of them, so a window/model/post change or a reset from the GUI waited seconds
    (79 s once: the lock is not fair)."""
    import threading

    class Slow(SumModel):
        def forward(self, voxel):
            time.sleep(0.03)
            return super().forward(voxel)

    info = REAL_FILES["davis346"]  # 130 ms: 260 windows of 0.5 ms in one pop
    with open_source(info["path"]) as src:
        pipe = Pipeline(src, WindowConfig(mode="duration", window_ms=0.5), model=Slow(), post=NO_POST)
        pipe.speed = 0.0
        first = threading.Event()
        pipe.start(lambda fr: first.set())
        try:
            assert first.wait(30)
            time.sleep(0.2)
            t0 = time.monotonic()
            pipe.set_window(WindowConfig(mode="duration", window_ms=1.0))
            pipe.reset_state()
            waited_s = time.monotonic() - t0
        finally:
            pipe.stop()
    assert waited_s < 0.5, waited_s  # a window or two (0.03 s each), not a ring pop's (>1 s)
