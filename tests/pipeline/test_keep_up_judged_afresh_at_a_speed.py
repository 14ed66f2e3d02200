"""``KEEP_UP_AGAIN_S`` of clean input takes "cannot keep up" back, the input's time counted at the
replay speed. At "as fast as possible" (speed 0: no pace, every window shown, nothing skipped)
it was counted in sensor time: a slow model switched to "max" (what the warning suggests for a
file) held the warning for 3 s of the recording, at 570 ms a 20 ms window ~90 s, and a speed
change left the verdict of the old pace standing. A new speed judges the keep-up afresh, as a
new window or model does. Times are set, not measured."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.core.slicing import Window
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.gui.session import LiveSession
from evfocus_live.pipeline import BEHIND_OF, BEHIND_POPS, Pipeline

WINDOW_US = 20_000


def behind_replay():
    pipe = Pipeline(ArraySource(np.zeros(10, EVENT_DTYPE), 64, 48), WindowConfig(mode="events", window_events=10),
                    model=SumModel(), post=NO_POST, speed=1.0)
    pipe.stats.infer_ms = 570.0
    t = [0]

    def pop(n: int) -> None:
        pipe._keep_up([Window(np.zeros(1, EVENT_DTYPE), t[0] + k * WINDOW_US, t[0] + (k + 1) * WINDOW_US)
                       for k in range(n)])
        t[0] += n * WINDOW_US

    for _ in range(BEHIND_POPS):
        pop(3)
    assert pipe.stats.behind.startswith("the model cannot keep up")
    return pipe, pop


def set_speed(pipe, speed: float) -> None:
    """The viewer's speed box, through the session's command (a paused session's: no resume)."""
    LiveSession.set_speed(SimpleNamespace(pipeline=pipe, paused=True, running=False), speed)


def test_at_max_speed_a_slow_model_is_not_held_behind():
    pipe, pop = behind_replay()
    set_speed(pipe, 0.0)
    for _ in range(BEHIND_OF):  # 0.12 s of the recording, every window made
        pop(1)
    assert pipe.stats.behind == ""


def test_a_new_speed_is_judged_afresh_and_the_old_pace_is_not_carried():
    pipe, pop = behind_replay()
    set_speed(pipe, 2.0)  # faster still: said again from the new pace's own pops
    assert pipe.stats.behind == ""  # (at once: a paused viewer says it on play, maybe before a pop)
    pop(1)
    assert pipe.stats.behind == ""
    for _ in range(BEHIND_POPS):
        pop(3)
    assert pipe.stats.behind.startswith("the model cannot keep up")
    set_speed(pipe, 2.0)  # (the same speed again: no new pace, the verdict stands)
    pop(1)
    assert pipe.stats.behind
