"""A seek into a pause in the recording (the viewer's slider or arrow keys, ``Pipeline.seek``)
skipped the rest of the pause: the replay's clock started at the next event. It now starts at
the time sought, so the rest of the pause plays at the replay speed, up to ``MAX_GAP_S``, and is
the played pause the viewer says (``sought``). A seek among events, and one made at once
(``unpaced``: a paused viewer's one frame), wait for nothing. The wall clock is faked."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live import pipeline as pipeline_mod
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import MAX_GAP_S, Pipeline, PlayedGap


def part(t_us: int) -> np.ndarray:
    ev = np.zeros(3, EVENT_DTYPE)
    ev["t"] = t_us + np.arange(3)
    return ev


class Clock:
    """``time.monotonic`` in the pipeline, moved on by the reader's waits; ``gaps`` the played
    pause the pipeline says at each wait."""

    def __init__(self):
        self.now = 1000.0
        self.pipe: Pipeline | None = None
        self.gaps: list[PlayedGap | None] = []

    def wait(self, timeout=None):  # the stop event's wait: the time passes, no stop comes
        self.now += timeout
        self.gaps.append(self.pipe.played_gap)
        return False


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(pipeline_mod.time, "monotonic", lambda: c.now)
    return c


def paced(clock, speed: float = 1.0) -> Pipeline:
    """A replay of events at 0 and 1.5 s, then none until 4.5 s, then none until 61.5 s."""
    ev = np.concatenate([part(0), part(1_500_000), part(4_500_000), part(61_500_000)])
    pipe = Pipeline(ArraySource(ev, 64, 48), model=SumModel(), post=NO_POST, speed=speed)
    pipe._stop_evt.wait = clock.wait
    clock.pipe = pipe
    assert pipe._pace(part(0))  # (the clock starts at the first part)
    return pipe


def played_s(pipe: Pipeline, clock, t_us: int) -> float:
    start = clock.now
    assert pipe._pace(part(t_us))
    return clock.now - start


@pytest.mark.parametrize("speed", [1.0, 0.5])
def test_a_seek_into_a_pause_plays_its_rest(clock, speed):
    pipe = paced(clock, speed)
    pipe.seek(3_000_000)  # (half way into the 3 s pause from 1.5 s to 4.5 s)
    assert played_s(pipe, clock, 4_500_000) == pytest.approx(1.5 / speed, abs=0.03)  # (was 0)
    assert clock.gaps[0] == PlayedGap(3_000_000, 4_500_000, pytest.approx(1.5 / speed), False, speed, sought=True)
    assert pipe.played_gap is None  # (events again)
    assert played_s(pipe, clock, 4_600_000) == pytest.approx(0.1 / speed, abs=0.03)  # paced on from there


def test_a_seek_into_a_long_pause_plays_at_most_max_gap_s_and_says_its_rest(clock, caplog):
    pipe = paced(clock)
    pipe.seek(10_000_000)  # (5.5 s into the 57 s pause from 4.5 s to 61.5 s)
    with caplog.at_level(logging.INFO, logger="evfocus_live.pipeline"):
        assert played_s(pipe, clock, 61_500_000) == pytest.approx(MAX_GAP_S, abs=0.03)
    said = [r.getMessage() for r in caplog.records if "pause" in r.getMessage()]
    assert said == ["the last 51.5 s of a pause in the recording, events again at 61.5 s: played as 5 s "
                    "(a pause plays for at most 5 s)"], said
    assert clock.gaps[0].shortened and clock.gaps[0].sought


def test_a_seek_among_events_waits_for_nothing(clock):
    pipe = paced(clock)
    pipe.seek(1_500_000)
    assert played_s(pipe, clock, 1_500_000) == 0
    assert not any(clock.gaps)


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
