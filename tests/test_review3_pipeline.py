"""Third review of the headless core, as a lab user: scripted runs of the Pipeline API."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import ModelConfig, WindowConfig
from evfocus_live.errors import ConfigError
from evfocus_live.nn.runtime import BACKENDS, PRECISIONS
from evfocus_live.pipeline import DEFAULT_RING_EVENTS, MAX_RING_EVENTS, Pipeline


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
    before = len(_workers())
    pipe.start(frames.append)
    assert model.entered.wait(10)
    pipe.stop(timeout_s=0.01)  # the worker is still in its window
    assert pipe.running  # and says so
    opener = threading.Timer(0.05, model.gate.set)
    opener.start()
    pipe.start(frames.append)  # waits for the old worker to end
    n_workers = len(_workers()) - before
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


@pytest.mark.parametrize("field", ["backend", "precision"])
def test_model_config_refuses_an_unknown_backend_or_precision(field):
    """Only the CPU runtime checked them, when a Pipeline was made: on CUDA ``precision="fp16"``
    or a backend typo was silently ignored."""
    with pytest.raises(ConfigError, match=f"ModelConfig.{field}"):
        ModelConfig(**{field: "fp16"})
    assert set(BACKENDS) == {"auto", "eager", "jit", "onnx", "compile"}  # the lists config.py repeats
    assert set(PRECISIONS) == {"auto", "fp32", "bf16"}


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


def test_a_window_under_half_a_microsecond_is_a_config_error_naming_the_field():
    """WindowConfig(window_ms=0.0004) was accepted and the slicer, counting whole µs, then
    raised a bare ValueError from inside Pipeline(); 1 µs windows stay possible."""
    with pytest.raises(ConfigError, match="WindowConfig.window_ms"):
        WindowConfig(mode="duration", window_ms=0.0004)
    ev = make_events(200, 32, 24, duration_us=50, seed=10)
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=0.001),
                    model=SumModel(), post=NO_POST, render_events=False)
    frames = list(pipe.frames())
    pipe.close()
    assert sum(f.n_events for f in frames) == len(ev)
    assert all(f.t_us - f.t_start_us == 1 for f in frames)


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
