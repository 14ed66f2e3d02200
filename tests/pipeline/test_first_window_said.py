"""The model's first window at a new size (seconds of kernel/oneDNN warm-up on a CPU at
1280x720) is said in ``stats.status`` and ``stats.warming_up`` while it runs, and cleared
after: the viewer showed "display fps 0.0" and no word, as if it had hung."""

from __future__ import annotations

import threading
import time

from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.pipeline import Pipeline

SAID = "first window at 32x24: preparing the model"


class GatedModel(SumModel):
    """Its first forward waits for ``go``: a warm-up as long as the test wants, no timing."""

    def __init__(self):
        super().__init__()
        self.entered, self.go = threading.Event(), threading.Event()

    def forward(self, voxel):
        if not self.entered.is_set():
            self.entered.set()
            assert self.go.wait(30)
        return super().forward(voxel)


def _wait(cond, timeout_s=30.0):
    deadline = time.monotonic() + timeout_s
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_first_window_is_said_while_it_runs_then_cleared():
    ev = make_events(6000, 32, 24, duration_us=300_000, seed=1)
    model = GatedModel()
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=1000), WindowConfig(mode="events", window_events=500),
                    model=model, post=NO_POST, speed=0)
    frames = []
    pipe.start(frames.append)
    try:
        assert model.entered.wait(30)
        assert pipe.stats.warming_up.startswith(SAID)
        assert pipe.stats.status.startswith(SAID)
        model.go.set()
        _wait(lambda: len(frames) >= 3)
        assert pipe.stats.warming_up == ""
        assert not pipe.stats.status.startswith("first window")
        assert pipe.stats.warmups == 1  # later windows at the same size: not again
    finally:
        model.go.set()
        pipe.stop()
        pipe.close()


def test_frames_mode_gets_its_status_back():
    ev = make_events(3000, 32, 24, duration_us=150_000, seed=2)
    model = SumModel()
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="events", window_events=500), model=model,
                    post=NO_POST)
    seen = []
    for _ in pipe.frames():
        seen.append(pipe.stats.status)
    assert seen and seen[0] == "running"
    assert pipe.stats.warmups == 1 and pipe.stats.warming_up == ""
    pipe.close()
