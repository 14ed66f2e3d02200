"""A model slower than the events come (the light model at 1280x720 on a laptop CPU: ~570 ms a
window) only had its skipped windows counted: ``PipelineStats.behind`` now says it cannot keep
up, and ``Pipeline.faster_settings`` what to change. Slowness is injected in lock-step, not timed:
the source gives the next batch (three windows) only once the model has started on the last one,
and the model finishes only once that batch is in the ring, so every ring pop holds three windows."""

from __future__ import annotations

import threading

import numpy as np
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.core.slicing import Window
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import BEHIND_OF, BEHIND_POPS, KEEP_UP_AGAIN_S, Pipeline

W, H = 1280, 720
PER_WINDOW = 2000
BATCHES = 6
SAFETY_S = 20.0  # (a hang guard only: every wait below ends on a condition)


def events(n: int, per_us: int = 10) -> np.ndarray:
    """``per_us`` events a microsecond (a burst): three windows span 600 µs, under the gated
    model's time for them however fast the machine (a pop counts as lost only then)."""
    ev = np.zeros(n, EVENT_DTYPE)
    ev["t"] = np.arange(n) // per_us
    ev["x"] = np.arange(n) % W
    ev["y"] = (np.arange(n) // W) % H
    ev["p"] = np.arange(n) % 2
    return ev


class LockStepCamera(ArraySource):
    """A live source whose k-th batch comes only once the model has started its k-th window."""

    def __init__(self, model):
        super().__init__(events(BATCHES * 3 * PER_WINDOW), W, H, batch=3 * PER_WINDOW, live=True)
        self.model = model
        model.cam = self
        self.reads = 0
        self.ended = False

    def read(self):
        with self.model.cv:
            self.model.cv.wait_for(lambda: self.model.started >= self.reads, timeout=SAFETY_S)
        self.reads += 1
        batch = super().read()
        if batch is None:
            with self.model.cv:
                self.ended = True
                self.model.cv.notify_all()
        return batch


class GatedModel(SumModel):
    """Finishes its k-th window only once the source's k-th batch is in the ring (or it ended)."""

    def __init__(self):
        super().__init__()
        self.cv = threading.Condition()
        self.started = 0
        self.pipe = None
        self.cam = None

    def forward(self, voxel):
        with self.cv:
            self.started += 1
            k = self.started
            self.cv.notify_all()
        pipe = self.pipe
        if pipe is not None:
            with self.cv:
                self.cv.wait_for(lambda: pipe.ring.pushes >= k + 1 or self.cam.ended, timeout=SAFETY_S)
        return super().forward(voxel)


def test_a_model_that_cannot_keep_up_is_said_with_what_to_change():
    model = GatedModel()
    cam = LockStepCamera(model)
    pipe = Pipeline(cam, WindowConfig(mode="events", window_events=PER_WINDOW), model=model, post=NO_POST,
                    render_events=False)
    model.pipe = pipe

    def pushed(batch, push=pipe.ring.push):  # (wakes the model's wait as the batch lands)
        n = push(batch)
        with model.cv:
            model.cv.notify_all()
        return n

    pipe.ring.push = pushed
    seen = []
    pipe.start(lambda fr: seen.append(pipe.stats.behind))
    assert pipe.wait(SAFETY_S)
    st = pipe.stats
    assert st.skipped_windows >= 2 * BEHIND_POPS
    assert st.behind.startswith("the model cannot keep up: ") and f"a window at {W}x{H}" in st.behind
    assert "windows skipped" in st.behind
    assert seen[0] == ""  # (not at the first pop: a warm-up skips windows once too)
    assert pipe.faster_settings() == (2, (467, 230, 346, 260))


def test_keeping_up_again_takes_it_back_and_a_full_ring_counts():
    pipe = Pipeline(ArraySource(events(100), W, H), WindowConfig(mode="events", window_events=50),
                    model=SumModel(), post=NO_POST, speed=1.0)
    w = Window(events(10), 0, 100)
    pipe.stats.infer_ms = 570.0  # (a slow model: set, not timed)
    for _ in range(BEHIND_POPS - 1):
        assert pipe._keep_up([w, w, w]) == [w]
    assert pipe.stats.behind == ""
    pipe._keep_up([w, w])
    assert "5 of the last 8 windows skipped" in pipe.stats.behind  # (3 pops: 2 + 2 + 1 skipped)
    for _ in range(BEHIND_OF - 1):
        pipe._keep_up([w])
        pipe._keep_up([])  # (a pop with no window says nothing)
    assert pipe.stats.behind  # (not taken back at once: a model near the input rate would flap)
    pipe._keep_up([w])
    assert pipe.stats.behind  # (BEHIND_OF pops, but under KEEP_UP_AGAIN_S of input)
    pipe._keep_up([Window(events(10), 0, int(KEEP_UP_AGAIN_S * 1e6))])
    assert pipe.stats.behind == ""
    # events the full ring dropped are a loss too, windows or not
    pipe.ring = type(pipe.ring)(10)
    for _ in range(BEHIND_POPS):
        pipe.ring.push(events(15))
        pipe._keep_up([])
    assert "events dropped by the full ring buffer" in pipe.stats.behind
    # a new window setting is judged afresh
    pipe.set_window(WindowConfig(mode="events", window_events=40))
    assert pipe.stats.behind == ""


def test_faster_settings_follow_the_sensor_and_the_window():
    pipe = Pipeline(ArraySource(events(100), W, H), WindowConfig(downsample=2), model=SumModel(), post=NO_POST)
    assert pipe.faster_settings() == (4, (467, 230, 346, 260))  # 320x180 is still a picture
    pipe.set_window(WindowConfig(downsample=4))
    assert pipe.faster_settings() == (None, (467, 230, 346, 260))  # (8: 160x90, too small)
    pipe.set_window(WindowConfig(roi=(0, 0, 640, 360)))
    assert pipe.faster_settings() == (2, None)
    small = Pipeline(ArraySource(events(100), 346, 260), WindowConfig(), model=SumModel(), post=NO_POST)
    assert small.faster_settings() == (2, None)


def test_a_looped_short_files_passes_and_a_warm_up():
    """A looped 8.8 ms file's pass: two pops that skip, then its tail window (skips none) at
    every pass; said all the same. One pop that skips (a first window's warm-up): not said."""
    pipe = Pipeline(ArraySource(events(100), W, H), WindowConfig(mode="events", window_events=50),
                    model=SumModel(), post=NO_POST, speed=1.0)
    w = Window(events(10), 0, 100)
    pipe.stats.infer_ms = 570.0
    pipe._keep_up([w] * 12)  # (the warm-up)
    for _ in range(BEHIND_POPS):
        pipe._keep_up([w])
    assert pipe.stats.behind == ""
    for _ in range(2):  # two passes
        pipe._keep_up([w] * 5)
        pipe._keep_up([w] * 4)
        pipe._keep_up([w])
    assert "14 of the last 20 windows skipped" in pipe.stats.behind
