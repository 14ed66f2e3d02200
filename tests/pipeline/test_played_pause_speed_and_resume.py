"""A pause in a paced replay is played up to ``MAX_GAP_S`` (5 s) of wall time. The reader's wait
computed its end once, at the old speed: the viewer's "max" (``--speed 0``) or 10x chosen in the
pause still waited out the 5 s, and 0.1x played it at 1x. A pause and play in it (the viewer's
space) ended it at once; it now plays the rest, as a video player does. The wall clock is faked:
nothing here is timed."""

from __future__ import annotations

import pytest
from pause_support import clock, paced, played_s, speed_to  # noqa: F401 (clock: a fixture)


@pytest.mark.parametrize("speed", [0.0, 10.0])
def test_a_faster_speed_in_a_played_pause_ends_it_sooner(clock, speed):
    pipe = paced(clock)
    clock.at(1.0, speed_to(pipe, speed))
    waited = played_s(pipe, clock, 4_000_000)
    rest = 0.0 if speed == 0 else 3.0 / speed
    assert waited == pytest.approx(1.0 + rest, abs=0.05)  # (was 4 s: the pause's end at 1x)


def test_a_slower_speed_in_a_played_pause_plays_the_rest_slower(clock):
    pipe = paced(clock)
    clock.at(1.0, speed_to(pipe, 0.5))
    assert played_s(pipe, clock, 3_000_000) == pytest.approx(1.0 + 4.0, abs=0.05)


def test_a_speed_set_from_python_in_a_played_pause_is_heeded(clock):
    pipe = paced(clock)

    def faster():  # (no resume(): a script's pipe.speed = 0)
        pipe.speed = 0.0
    clock.at(0.5, faster)
    assert played_s(pipe, clock, 4_000_000) == pytest.approx(0.5, abs=0.05)


def test_pause_and_play_in_a_played_pause_plays_its_rest(clock):
    pipe = paced(clock)
    clock.at(1.0, pipe.pause)
    clock.at(3.0, pipe.resume)  # (2 s paused)
    assert played_s(pipe, clock, 4_000_000) == pytest.approx(1.0 + 2.0 + 3.0, abs=0.05)  # (was 3 s)


def test_a_resume_that_re_anchors_a_short_wait_keeps_its_place(clock):
    pipe = paced(clock)
    assert played_s(pipe, clock, 10_000) == pytest.approx(0.01, abs=0.03)
    clock.at(0.1, pipe.resume)  # (a speed box set to the same speed)
    assert played_s(pipe, clock, 510_000) == pytest.approx(0.5, abs=0.05)
