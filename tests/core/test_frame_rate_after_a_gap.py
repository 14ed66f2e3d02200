"""The fps readouts after a pause (or a still scene's quiet spell): the 4 s gap was one of the
last 16 intervals, so 10 frames a second read "2.9" for the 1.5 s the frames from before it took
to leave the history. A frame after a gap that the rate already read 0 over starts it afresh."""

from __future__ import annotations

import pytest

from evfocus_live.core.stats import FrameRate


def frames(r: FrameRate, t0: float, n: int, dt: float = 0.1) -> float:
    for i in range(n):
        r.add(1, t0 + i * dt)
    return t0 + (n - 1) * dt


def test_the_rate_after_a_pause_is_the_frames_since():
    r = FrameRate()
    last = frames(r, 10.0, 20)
    assert r.rate(last + 0.05) == pytest.approx(10.0)
    assert r.rate(last + 4.0) == 0.0  # paused
    last = frames(r, last + 4.0, 3)  # resumed: three frames 0.1 s apart
    assert r.rate(last + 0.05) == pytest.approx(10.0)


def test_the_first_frame_after_a_gap_is_no_rate_yet():
    r = FrameRate()
    last = frames(r, 10.0, 20)
    r.add(1, last + 4.0)
    assert r.rate(last + 4.05) == 0.0


def test_a_slow_models_steady_frames_are_no_gap():
    r = FrameRate()
    last = frames(r, 10.0, 8, dt=0.7)
    r.add(1, last + 1.2)  # a slower one, under twice the interval
    assert r.rate(last + 1.25) == pytest.approx(8 / (7 * 0.7 + 1.2))
