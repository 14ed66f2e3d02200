"""A looping replay of a file that ends in a pause started again at once at its last event. Most
formats end there (their times are their events'), but a RAW file's sensor writes its clock
(``TIME_HIGH``) on through a still scene: its ``end_us()`` is later, and that pause is played now
before the next pass, as any pause in it (up to ``MAX_GAP_S``, said as ``played_gap``). The wall
clock is faked."""

from __future__ import annotations

import numpy as np
import pytest
from pipeline_support import NO_POST, ArraySource, SumModel
from test_played_pause_speed_and_resume import clock, part, played_s  # noqa: F401 (clock: a fixture)

from evfocus_live.pipeline import MAX_GAP_S, Pipeline, PlayedGap


class EndsLater(ArraySource):
    """Events at 0 and 1 s; the file's clock ends at ``end``."""

    def __init__(self, end):
        super().__init__(np.concatenate([part(0), part(1_000_000)]), 64, 48)
        self.end = end

    def end_us(self):
        return self.end


def looped(clock, end_us) -> Pipeline:
    """A looping replay 1 s in, at its last event."""
    pipe = Pipeline(EndsLater(end_us), model=SumModel(), post=NO_POST, speed=1.0)
    pipe.loop = True
    pipe._stop_evt.wait = clock.wait
    assert pipe._pace(part(0))
    assert played_s(pipe, clock, 1_000_000) == pytest.approx(1.0, abs=0.03)
    return pipe


def loop_s(pipe, clock) -> float:
    start = clock.now
    assert pipe._loop_to_start()
    return clock.now - start


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
