"""A looping replay of a file that ends in a pause started again at once at its last event. Most
formats end there (their times are their events'), but a RAW file's sensor writes its clock
(``TIME_HIGH``) on through a still scene: its ``end_us()`` is later, and that pause is played now
before the next pass, as any pause in it (up to ``MAX_GAP_S``, said as ``played_gap``). The wall
clock is faked."""

from __future__ import annotations

import pytest
from pause_support import clock, loop_s, looped, played_s  # noqa: F401 (clock: a fixture)

from evfocus_live.pipeline import MAX_GAP_S, PlayedGap


def test_the_pause_at_the_end_is_played_before_the_next_pass(clock):
    pipe = looped(clock, 3_000_000)
    seen: list = []
    clock.at(0.5, lambda: seen.append(pipe.played_gap))
    assert loop_s(pipe, clock) == pytest.approx(2.0, abs=0.05)  # (was 0)
    assert seen == [PlayedGap(1_000_002, 3_000_000, pytest.approx(2.0, abs=0.05), False, 1.0, at_end=True)]
    assert pipe.played_gap is None
    assert played_s(pipe, clock, 0) == 0  # the next pass starts then
    assert played_s(pipe, clock, 500_000) == pytest.approx(0.5, abs=0.03)


def test_a_long_one_is_played_as_max_gap_s(clock):
    pipe = looped(clock, 61_000_000)
    assert loop_s(pipe, clock) == pytest.approx(MAX_GAP_S, abs=0.05)
    assert played_s(pipe, clock, 0) == 0


def test_pause_and_play_in_it_plays_its_rest(clock):
    pipe = looped(clock, 3_000_000)
    clock.at(0.5, pipe.pause)
    clock.at(1.5, pipe.resume)
    assert loop_s(pipe, clock) == pytest.approx(0.5 + 1.0 + 1.5, abs=0.05)


@pytest.mark.parametrize("end_us", [None, 1_000_002])
def test_a_file_that_ends_at_its_last_event_starts_again_at_once(clock, end_us):
    pipe = looped(clock, end_us)
    assert loop_s(pipe, clock) == pytest.approx(0, abs=0.05)
