"""A paced replay (``--speed 1``) played a pause over 1 s in its recording in no time: the reader
re-anchored its clock at any jump ahead. A pause now plays as it was, at the replay speed, up to
``MAX_GAP_S`` of wall time; a longer one is shortened to that, said once. A clock restart (time
going back) still starts the clock anew. The wall clock is faked: nothing here is timed."""

from __future__ import annotations

import logging

import pytest
from pause_support import part
from pause_support import wall_clock as clock  # noqa: F401 (a fixture)
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.pipeline import MAX_GAP_S, Pipeline


def paced(clock, speed: float = 1.0) -> Pipeline:
    pipe = Pipeline(ArraySource(part(0), 64, 48), model=SumModel(), post=NO_POST, speed=speed)

    def wait(timeout=None):  # the stop event's wait: the time passes, no stop comes
        clock[0] += timeout
        return False

    pipe._stop_evt.wait = wait
    return pipe


def played_s(pipe: Pipeline, clock, t_us: int) -> float:
    start = clock[0]
    assert pipe._pace(part(t_us))
    return clock[0] - start


@pytest.mark.parametrize("speed", [1.0, 2.0])
def test_a_3_s_pause_plays_as_3_s_at_the_replay_speed(clock, speed, caplog):
    pipe = paced(clock, speed)
    assert played_s(pipe, clock, 0) == 0  # (the clock starts at the first part)
    with caplog.at_level(logging.INFO, logger="evfocus_live.pipeline"):
        waited = played_s(pipe, clock, 3_000_000)
    assert waited == pytest.approx(3.0 / speed, abs=0.03)
    assert not [r for r in caplog.records if "pause" in r.getMessage()]


def test_a_long_pause_is_shortened_and_said_once(clock, caplog):
    pipe = paced(clock)
    played_s(pipe, clock, 0)
    with caplog.at_level(logging.INFO, logger="evfocus_live.pipeline"):
        waited = played_s(pipe, clock, 60_000_000)
        assert waited == pytest.approx(MAX_GAP_S, abs=0.03)
        assert played_s(pipe, clock, 60_010_000) == pytest.approx(0.01, abs=0.03)  # (paced on from there)
        pipe._anchor = (0, clock[0])  # a looping replay's next pass meets the same pause
        played_s(pipe, clock, 60_000_000)
    said = [r.getMessage() for r in caplog.records if "pause" in r.getMessage()]
    assert len(said) == 1, said
    assert said[0].startswith("a 60.0 s pause in the recording, events again at 60.0 s: played as 5 s"), said


def test_a_clock_restart_still_starts_the_clock_anew(clock):
    pipe = paced(clock)
    played_s(pipe, clock, 0)
    played_s(pipe, clock, 2_000_000)
    assert played_s(pipe, clock, 5_000) == 0  # time went back: no wait, and no rush after it
    assert played_s(pipe, clock, 505_000) == pytest.approx(0.5, abs=0.03)
