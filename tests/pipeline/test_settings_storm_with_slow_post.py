"""Many commands (window sizes, resets, post chains, model switches) while a slow temporal frame
step runs outside the pipeline's lock: the worker never fails, a temporal filter never sees a
frame of another size than its history, every frame shown went through the chain once, and
once the commands end the frames have the last settings' size."""

from __future__ import annotations

import random
import threading
import time
from importlib.metadata import EntryPoint

import numpy as np
import pytest

from conftest import make_events
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline
from evfocus_live.plugins import POSTPROCESSORS
from pipeline_support import SumModel
from plugin_support import _with_extra

WAIT_S = 30.0  # (only a broken pipeline comes near it)
COMMANDS = 60
FRAMES_AFTER = 5
W, H = 64, 48


class Temporal:
    """A running mean over the frames since its reset (a temporal filter); a frame of another
    size than its history raises (the worker then stops: the test sees it)."""
    stage = "frame"
    seen: list[tuple[int, tuple[int, int]]] = []

    def __init__(self):
        self.mean = None

    def __call__(self, frame, t_us=0):
        time.sleep(0.002)  # (slow enough that commands land while it runs)
        if self.mean is not None and self.mean.shape != frame.shape:
            raise RuntimeError(f"history {self.mean.shape}, frame {frame.shape}: a reset was missed")
        self.mean = frame.astype(np.float32) if self.mean is None else 0.5 * (self.mean + frame)
        Temporal.seen.append((int(t_us), frame.shape))
        return frame

    def reset(self):
        self.mean = None


def test_a_storm_of_commands_during_a_slow_temporal_step(monkeypatch, tmp_path):
    _with_extra(monkeypatch, [EntryPoint("temporal", "test_settings_storm_with_slow_post:Temporal", POSTPROCESSORS),
                              EntryPoint("plain", "test_commands_do_not_wait_for_post:Plain", POSTPROCESSORS)])
    Temporal.seen = []
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(40_000, width=W, height=H, duration_us=400_000))
    frames, got_frame = [], threading.Condition()

    def on_frame(fr):
        with got_frame:
            frames.append(fr)
            got_frame.notify_all()

    pipe = Pipeline(str(rec), WindowConfig(mode="events", window_events=1_000), post=PostConfig(steps=("temporal",)),
                    model_obj=SumModel(), speed=0)
    pipe.loop = True  # (frames go on after the commands, however slow the machine)
    rnd = random.Random(0)
    pipe.start(on_frame)
    try:
        for _ in range(COMMANDS):
            what = rnd.choice(("window", "reset", "post", "model"))
            if what == "window":
                pipe.set_window(WindowConfig(mode="events", window_events=1_000, downsample=rnd.choice((1, 2))))
            elif what == "reset":
                pipe.reset_state()
            elif what == "post":
                pipe.set_post(PostConfig(steps=rnd.choice((("temporal",), ("plain", "temporal")))))
            else:
                pipe.set_model(SumModel())
        pipe.set_window(WindowConfig(mode="events", window_events=1_000, downsample=2))
        with got_frame:
            n_at_end = len(frames)
            assert got_frame.wait_for(lambda: len(frames) >= n_at_end + FRAMES_AFTER + 1, WAIT_S), pipe.stats.status
        assert not pipe.stats.status.startswith("worker error"), pipe.stats.status
    finally:
        pipe.close()
    assert not pipe.stats.status.startswith("worker error"), pipe.stats.status
    indices = [fr.index for fr in frames]
    assert indices == sorted(set(indices)), "a frame shown twice or out of order"
    filtered = set(Temporal.seen)
    assert all((fr.t_us, fr.image.shape) in filtered for fr in frames), "a frame shown without its post step"
    # one frame may have passed the stale check before the last command (as before the change)
    assert all(fr.image.shape == (H // 2, W // 2) for fr in frames[n_at_end + 1:]), [fr.image.shape for fr in frames]
