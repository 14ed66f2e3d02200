"""Shuffled rows (steps back of over 1 s every few events) on the viewer: its status bar heard the
first steps back as "event time jumped back by 1.9 s (a clock restart?)", and the slicer's finding
that the time order is broken, not a clock, went to the log only. With event-count windows (no
late-event count, so no late-events warning either) the status bar never said more; the warning
now goes where the late events' does (``on_late``: the pipeline's ``on_warning``)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.core.slicing import AdaptiveSlicer, CountSlicer, DurationSlicer


@pytest.mark.parametrize("make", [lambda: CountSlicer(500), lambda: DurationSlicer(33),
                                  lambda: AdaptiveSlicer(33, 100, 5000)], ids=["events", "duration", "adaptive"])
def test_broken_time_order_reaches_the_user_once(make):
    ev = make_events(20_000, 64, 48, duration_us=2_000_000, seed=3)
    np.random.default_rng(4).shuffle(ev)
    s = make()
    told: list[str] = []
    s.on_late = told.append
    s.on_restart = lambda text, t_us: None
    for k in range(0, len(ev), 1000):
        s.push(ev[k:k + 1000])
    s.reset(int(ev["t"].min()))  # a loop's seek: not said again
    s.push(ev)
    s.flush()
    broken = [t for t in told if "jumped back by over 1 s 8 times" in t]
    assert len(broken) == 1 and "sort the events by time" in broken[0], told
