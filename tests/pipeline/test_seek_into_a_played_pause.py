"""A seek into a pause in the recording (the viewer's slider or arrow keys, ``Pipeline.seek``)
skipped the rest of the pause: the replay's clock started at the next event. It now starts at
the time sought, so the rest of the pause plays at the replay speed, up to ``MAX_GAP_S``, and is
the played pause the viewer says (``sought``). A seek among events, and one made at once
(``unpaced``: a paused viewer's one frame), wait for nothing. The wall clock is faked."""

from __future__ import annotations

import logging

import pytest
from pause_support import clock, paced, played_s  # noqa: F401 (clock: a fixture)

from evfocus_live.pipeline import MAX_GAP_S, PlayedGap


def gaps_during(clock, pipe) -> list:
    """The played pause the pipeline says 0.1 s into the next wait."""
    seen: list = []
    clock.at(0.1, lambda: seen.append(pipe.played_gap))
    return seen


@pytest.mark.parametrize("speed", [1.0, 0.5])
def test_a_seek_into_a_pause_plays_its_rest(clock, speed):
    pipe = paced(clock, speed)
    assert played_s(pipe, clock, 1_500_000) == pytest.approx(1.5 / speed, abs=0.03)
    pipe.seek(3_000_000)  # (half way into a 3 s pause, from 1.5 s to 4.5 s)
    seen = gaps_during(clock, pipe)
    assert played_s(pipe, clock, 4_500_000) == pytest.approx(1.5 / speed, abs=0.03)  # (was 0)
    assert seen == [PlayedGap(3_000_000, 4_500_000, pytest.approx(1.5 / speed), False, speed, sought=True)]
    assert pipe.played_gap is None  # (events again)
    assert played_s(pipe, clock, 4_600_000) == pytest.approx(0.1 / speed, abs=0.03)  # paced on from there


def test_a_seek_into_a_long_pause_plays_at_most_max_gap_s_and_says_its_rest(clock, caplog):
    pipe = paced(clock)
    pipe.seek(10_000_000)  # (into a pause that ends at 61.5 s)
    seen = gaps_during(clock, pipe)
    with caplog.at_level(logging.INFO, logger="evfocus_live.pipeline"):
        assert played_s(pipe, clock, 61_500_000) == pytest.approx(MAX_GAP_S, abs=0.03)
    said = [r.getMessage() for r in caplog.records if "pause" in r.getMessage()]
    assert said == ["the last 51.5 s of a pause in the recording, events again at 61.5 s: played as 5 s "
                    "(a pause plays for at most 5 s)"], said
    assert seen[0].shortened and seen[0].sought


def test_a_seek_among_events_waits_for_nothing(clock):
    pipe = paced(clock)
    pipe.seek(1_500_000)
    seen = gaps_during(clock, pipe)
    assert played_s(pipe, clock, 1_500_000) == 0
    assert played_s(pipe, clock, 1_600_000) == pytest.approx(0.1, abs=0.03)
    assert seen == [None]


def test_a_seek_made_at_once_waits_for_nothing(clock):
    pipe = paced(clock)
    pipe.seek(3_000_000)
    pipe.unpaced.set()  # (a paused viewer's one frame at the time sought)
    assert played_s(pipe, clock, 4_500_000) == 0
    pipe.unpaced.clear()
    assert played_s(pipe, clock, 4_600_000) == 0  # (the clock starts anew there, not at the seek)


def test_a_seek_while_paused_plays_the_rest_on_play(clock):
    pipe = paced(clock)
    pipe.pause()
    pipe.seek(3_000_000)
    pipe.resume()
    assert played_s(pipe, clock, 4_500_000) == pytest.approx(1.5, abs=0.03)
