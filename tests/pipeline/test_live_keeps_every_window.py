"""A camera hands on packets that hold several windows (a 20 ms packet, four 5 ms windows), and
the worker kept only the newest window of each however fast the model: a model at 1 ms a window
showed one frame in four. As for a paced replay, every window of a pop is now made when the
model's time for them (``infer_ms`` + ``post_ms`` each) is under their span; a slower model, or
one with no time yet, skips to the newest (latency stays bounded). The model's time is stated:
it moves a fake ``perf_counter`` that the pipeline reads (no timed test). One packet per ring
pop: the source hands on the next once the worker has made the last one's windows."""

from __future__ import annotations

import time
import types

import numpy as np
import pytest
import torch
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live import pipeline as pipeline_mod
from evfocus_live.config import WindowConfig
from evfocus_live.core.slicing import Window
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import BEHIND_POPS, Pipeline

PACKET_US, WINDOW_US, PACKETS = 20_000, 5_000, 12


class Clock:
    """A ``perf_counter`` for the pipeline module that only the model moves."""

    def __init__(self):
        self.now_s = 0.0

    def perf_counter(self) -> float:
        return self.now_s


class StatedModel(SumModel):
    """A model that takes ``ms`` a window on the fake clock."""

    def __init__(self, clock: Clock, ms: float):
        super().__init__()
        self.clock, self.ms = clock, ms

    def forward(self, voxel: torch.Tensor):
        self.clock.now_s += self.ms / 1e3
        return super().forward(voxel)


class PacketCamera(ArraySource):
    """A live source whose every read() is one 20 ms packet, given once the worker is done with
    the last (``pipe`` set after the pipeline is made)."""

    pipe: Pipeline | None = None

    def read(self):
        pipe = self.pipe
        with pipe._pushes_done_cv:
            while pipe._pushes_done < pipe.ring.pushes and not pipe._stop_evt.is_set():
                pipe._pushes_done_cv.wait(0.05)
        return super().read()


def packets() -> np.ndarray:
    per_packet = 200
    ev = np.zeros(PACKETS * per_packet, EVENT_DTYPE)
    ev["t"] = np.arange(len(ev)) * (PACKET_US // per_packet)
    ev["x"], ev["y"] = np.arange(len(ev)) % 64, np.arange(len(ev)) % 48
    return ev


def run(monkeypatch, ms: float) -> Pipeline:
    clock = Clock()
    monkeypatch.setattr(pipeline_mod, "time", types.SimpleNamespace(perf_counter=clock.perf_counter,
                                                                      monotonic=time.monotonic, sleep=time.sleep))
    cam = PacketCamera(packets(), 64, 48, batch=200, live=True)
    pipe = Pipeline(cam, WindowConfig(mode="duration", window_ms=WINDOW_US / 1e3), model=StatedModel(clock, ms),
                    post=NO_POST)
    cam.pipe = pipe
    got = []
    pipe.start(got.append)
    assert pipe.wait(timeout_s=60) and pipe.drained
    pipe.stop()
    assert pipe.stats.frames == len(got)
    assert all(b.t_us > a.t_us for a, b in zip(got, got[1:]))
    return pipe


def test_a_fast_model_makes_every_window_of_a_camera_packet(monkeypatch):
    pipe = run(monkeypatch, ms=1.0)  # (4 windows: 4 ms for 20 ms of packet)
    st = pipe.stats
    assert st.infer_ms == pytest.approx(1.0) and st.post_ms == 0.0
    # the first packet's windows are skipped (no model time yet): one made, two skipped
    assert st.frames == PACKETS * PACKET_US // WINDOW_US - 2 and st.skipped_windows == 2
    assert st.behind == ""


def test_a_slow_model_skips_to_the_newest_window_and_is_behind(monkeypatch):
    pipe = run(monkeypatch, ms=6.0)  # (4 windows: 24 ms for 20 ms of packet)
    st = pipe.stats
    assert st.frames + st.skipped_windows == PACKETS * PACKET_US // WINDOW_US
    assert st.frames == PACKETS + 1  # the newest of each pop, and the tail's partial window
    assert st.behind.startswith("the model cannot keep up: 6 ms a window")


def windows(n: int, t0_us: int = 0) -> list[Window]:
    return [Window(np.zeros(1, EVENT_DTYPE), t0_us + k * WINDOW_US, t0_us + (k + 1) * WINDOW_US) for k in range(n)]


@pytest.mark.parametrize("infer_ms, post_ms, made", [(0.0, 0.0, 1), (1.0, 0.0, 4), (4.0, 1.0, 1), (4.0, 0.9, 4)])
def test_a_camera_pop_keeps_its_windows_only_when_the_model_keeps_up(infer_ms, post_ms, made):
    ev = np.zeros(10, EVENT_DTYPE)
    pipe = Pipeline(ArraySource(ev, 64, 48, live=True), WindowConfig(mode="duration", window_ms=5),
                    model=SumModel(), post=NO_POST, speed=0)  # (speed 0: a camera is paced by its clock)
    pipe.stats.infer_ms, pipe.stats.post_ms = infer_ms, post_ms  # (0: no model time yet)
    for k in range(2 * BEHIND_POPS):
        assert len(pipe._keep_up(windows(4, k * PACKET_US))) == made
    assert pipe.stats.skipped_windows == 2 * BEHIND_POPS * (4 - made)
    assert bool(pipe.stats.behind) == (infer_ms > 0 and made == 1)  # (no time yet: not a loss)
