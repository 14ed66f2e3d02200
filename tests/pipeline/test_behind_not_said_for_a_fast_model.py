"""A replay's events reach the worker in parts of a few ms of wall time (5 ms times the speed, the
session's 2 ms ones): windows shorter than a part come several to a pop, and the pipeline skips
to the newest however fast the model. That was said as "the model cannot keep up" of a model
four times faster than the windows came (3 ms windows at 1x, 0.7 ms a window; 20 ms windows at
--speed 10, "0 ms a window"). A pop now counts as lost only when the model's time for its
windows (``infer_ms`` + ``post_ms`` each) is over their span in wall time. ``infer_ms`` is set,
not timed."""

from __future__ import annotations

import numpy as np
import pytest
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.core.slicing import Window
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import BEHIND_OF, Pipeline


def pipe_at(speed: float, live: bool = False) -> Pipeline:
    ev = np.zeros(100, EVENT_DTYPE)
    ev["t"] = np.arange(100)
    return Pipeline(ArraySource(ev, 64, 48, live=live), WindowConfig(mode="duration", window_ms=1),
                    model=SumModel(), post=NO_POST, speed=speed)


def windows(n: int, window_us: int, t0_us: int = 0) -> list[Window]:
    return [Window(np.zeros(1, EVENT_DTYPE), t0_us + k * window_us, t0_us + (k + 1) * window_us) for k in range(n)]


@pytest.mark.parametrize("speed, window_us, live", [(1.0, 3_000, False), (10.0, 20_000, False),
                                                    (1.0, 3_000, True)])
def test_a_fast_model_given_short_windows_in_one_pop_is_not_behind(speed, window_us, live):
    pipe = pipe_at(speed, live)
    pipe.stats.infer_ms = 0.7  # (per window: under the windows' 3 or 2 ms of wall time)
    for k in range(3 * BEHIND_OF):
        # (all of them: test_fast_replay_keeps_its_windows, test_live_keeps_every_window)
        assert len(pipe._keep_up(windows(3, window_us, k * 3 * window_us))) == 3
    assert pipe.stats.skipped_windows == 0
    assert pipe.stats.behind == ""


def test_a_model_slower_than_the_windows_is_behind_and_post_processing_counts():
    pipe = pipe_at(1.0)
    pipe.stats.infer_ms = 2.5  # (3 ms windows: keeps up alone, not with 1 ms of post-processing)
    for k in range(BEHIND_OF):
        pipe._keep_up(windows(3, 3_000, k * 9_000))
    assert pipe.stats.behind == ""
    pipe.stats.post_ms = 1.0
    for k in range(BEHIND_OF):
        pipe._keep_up(windows(3, 3_000, k * 9_000))
    assert pipe.stats.behind.startswith(  # (the check's time: the model's and the post-processing's)
        "the model cannot keep up: 3.5 ms a window (model 2.5 ms + post-processing 1.0 ms)")
