"""A paced replay hands its events on in parts of 5 ms of wall time times the speed (50 ms of
sensor time at --speed 10), and the worker kept only the newest window of a pop: 20 ms windows
at --speed 10 with a model at ~1 ms a window showed 41 of 100 frames (99 before the parts grew
with the speed). A pop's windows are now all made when the model's time for them (``infer_ms``
+ ``post_ms`` each, set here, not timed) is under their span in wall time; a slower model still
skips to the newest (a camera too: test_live_keeps_every_window)."""

from __future__ import annotations

import numpy as np
import pytest
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.core.slicing import Window
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import Pipeline


def pipe_at(speed: float, live: bool = False) -> Pipeline:
    ev = np.zeros(100, EVENT_DTYPE)
    ev["t"] = np.arange(100)
    return Pipeline(ArraySource(ev, 64, 48, live=live), WindowConfig(mode="duration", window_ms=20),
                    model=SumModel(), post=NO_POST, speed=speed)


def windows(n: int, window_us: int) -> list[Window]:
    return [Window(np.zeros(1, EVENT_DTYPE), k * window_us, (k + 1) * window_us) for k in range(n)]


@pytest.mark.parametrize("speed, window_us", [(10.0, 20_000), (1.0, 3_000), (0.5, 1_000)])
def test_a_fast_model_makes_every_window_of_a_paced_pop(speed, window_us):
    pipe = pipe_at(speed)
    pipe.stats.infer_ms = 0.7  # (under each window's 2, 3 and 2 ms of wall time)
    ws = windows(3, window_us)
    assert pipe._keep_up(ws) == ws
    assert pipe.stats.skipped_windows == 0


@pytest.mark.parametrize("infer_ms, live", [(5.0, False), (25.0, True)])  # (a camera: 20 ms windows in real time)
def test_a_slow_model_still_skips_to_the_newest(infer_ms, live):
    pipe = pipe_at(10.0, live)
    pipe.stats.infer_ms = infer_ms
    ws = windows(3, 20_000)
    assert pipe._keep_up(ws) == ws[-1:]
    assert pipe.stats.skipped_windows == 2
