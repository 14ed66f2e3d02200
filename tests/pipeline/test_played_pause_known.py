"""A pause in the recording that a paced replay plays (``MAX_GAP_S``) is known while it plays
(``Pipeline.played_gap``: where it starts and ends, its wall time, shortened or not), so that
the viewer can say it: it said only "no new frame ... (a still scene?)". The wall clock is faked
as in test_paced_replay_plays_pauses: nothing here is timed."""

from __future__ import annotations

import pytest
from pause_support import part
from pause_support import wall_clock as clock  # noqa: F401 (a fixture)
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.pipeline import MAX_GAP_S, Pipeline


def paced(clock, seen: list, speed: float = 1.0, on_wait=None) -> Pipeline:
    """A paced pipeline whose stop event's wait moves the fake clock on and notes the gap played."""
    pipe = Pipeline(ArraySource(part(0), 64, 48), model=SumModel(), post=NO_POST, speed=speed)

    def wait(timeout=None):
        clock[0] += timeout
        seen.append(pipe.played_gap)
        if on_wait is not None:
            on_wait(pipe, len(seen))
        return False

    pipe._stop_evt.wait = wait
    return pipe


def test_a_3_s_pause_is_known_while_it_plays(clock):
    seen = []
    pipe = paced(clock, seen)
    assert pipe._pace(part(0)) and pipe._pace(part(10_000))
    seen.clear()
    assert pipe._pace(part(3_010_000))
    gaps = {g for g in seen}
    assert len(gaps) == 1, gaps
    gap = gaps.pop()
    assert (gap.from_us, gap.until_us, gap.shortened) == (10_002, 3_010_000, False)
    assert gap.wall_s == pytest.approx(3.0, abs=0.03)
    assert pipe.played_gap is None  # (events again)


def test_a_long_pause_is_known_shortened(clock):
    seen = []
    pipe = paced(clock, seen, speed=2.0)
    pipe._pace(part(0))
    assert pipe._pace(part(60_000_000))
    gap = seen[0]
    assert gap.shortened and gap.wall_s == MAX_GAP_S and gap.speed == 2.0 and gap.until_us == 60_000_000
    assert pipe.played_gap is None


def test_a_short_wait_is_no_pause(clock):
    seen = []
    pipe = paced(clock, seen)
    pipe._pace(part(0))
    assert pipe._pace(part(500_000))
    assert seen and not any(seen)


def test_a_pause_and_play_in_it_is_the_same_pause(clock):
    def pause_then_play(pipe, n):
        if n == 50:
            pipe.pause()
        elif n == 80:
            pipe.resume()

    seen = []
    pipe = paced(clock, seen, on_wait=pause_then_play)
    pipe._pace(part(0))
    start = clock[0]
    assert pipe._pace(part(3_000_000))
    assert clock[0] - start == pytest.approx(3.0 + 30 * 0.02, abs=0.05)  # (its rest played after the play)
    assert len({id(g) for g in seen}) == 1 and seen[-1] is not None
    assert pipe.played_gap is None


def test_a_seek_in_it_ends_it(clock):
    def seek(pipe, n):
        if n == 10:
            pipe._seek_req = 1_500_000

    seen = []
    pipe = paced(clock, seen, on_wait=seek)
    pipe._pace(part(0))
    assert not pipe._pace(part(3_000_000))
    assert seen[0] is not None and pipe.played_gap is None


def test_a_loops_wait_at_the_start_is_no_pause(clock):
    seen = []
    pipe = paced(clock, seen)
    pipe._pace(part(0))
    pipe._pace(part(2_000_000))
    pipe._anchor, pipe._paced_us = (0, clock[0] + 2.0), None  # (as _loop_to_start keeps the clock)
    seen.clear()
    assert pipe._pace(part(0))
    assert seen and not any(seen)
