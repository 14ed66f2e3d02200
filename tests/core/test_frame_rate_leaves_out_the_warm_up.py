"""The fps readouts after a slow warm-up: the model's first windows (seconds of kernel warm-up
on a CPU) put one long interval at the start of the history, and 10 frames a second read about
1 for the 16 frames it took to leave. A run's (or, after a gap, a new start's) leading interval
far longer than those after it is left out. Times are injected."""

from __future__ import annotations

import pytest

from evfocus_live.core.stats import FrameRate


def test_a_slow_first_interval_is_left_out():
    r = FrameRate()
    r.add(1, 5.0)  # the first frame
    r.add(1, 8.0)  # the next after 3 s of warm-up
    for i in range(1, 4):
        r.add(1, 8.0 + 0.1 * i)
    assert r.rate(8.35) == pytest.approx(10.0)  # (was 4 / 3.3 s: 1.2)
    assert r.measured(8.35) == pytest.approx(10.0)


def test_two_slow_first_intervals_are_left_out():
    r = FrameRate()
    for t in (5.0, 8.0, 9.5):  # a warm-up, then a second slow call (a traced model's optimisation)
        r.add(1, t)
    for i in range(1, 6):
        r.add(1, 9.5 + 0.1 * i)
    assert r.rate(10.05) == pytest.approx(10.0)


def test_after_a_gap_the_new_start_is_judged_again():
    r = FrameRate()
    for i in range(20):
        r.add(1, 10.0 + 0.1 * i)
    r.add(1, 15.0)  # after a pause: a fresh history
    r.add(1, 17.0)  # a slow one (the model warms up at a new size)
    for i in range(1, 4):
        r.add(1, 17.0 + 0.1 * i)
    assert r.rate(17.35) == pytest.approx(10.0)


def test_a_steady_rate_keeps_its_intervals():
    r = FrameRate()
    for t in (0.0, 0.15, 0.25, 0.35, 0.45):  # a first interval under twice the others: kept
        r.add(1, t)
    assert r.rate(0.5) == pytest.approx(4 / 0.45)


def test_only_the_start_is_judged():
    r = FrameRate(history=4)
    for i in range(6):
        r.add(1, 0.1 * i)
    r.add(1, 0.5 + 0.25)  # a slow frame mid-run ...
    r.add(1, 0.75 + 0.1)
    r.add(1, 0.85 + 0.1)
    assert r.rate(0.96) == pytest.approx(3 / 0.45)  # ... stays in the rate
