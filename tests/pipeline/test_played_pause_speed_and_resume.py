"""A pause in a paced replay is played up to ``MAX_GAP_S`` (5 s) of wall time. The reader's wait
computed its end once, at the old speed: the viewer's "max" (``--speed 0``) or 10x chosen in the
pause still waited out the 5 s, and 0.1x played it at 1x. A pause and play in it (the viewer's
space) ended it at once; it now plays the rest, as a video player does. The wall clock is faked:
nothing here is timed."""

from __future__ import annotations

import numpy as np
import pytest
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live import pipeline as pipeline_mod
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import Pipeline


def part(t_us: int) -> np.ndarray:
    ev = np.zeros(3, EVENT_DTYPE)
    ev["t"] = t_us + np.arange(3)
    return ev


class Clock:
    """``time.monotonic`` in the pipeline, moved on by the reader's waits; ``at`` runs a change
    (the viewer's) once the replay has waited that long."""

    def __init__(self):
        self.now = 1000.0
        self.todo: list[tuple[float, object]] = []

    def wait(self, timeout=None):  # the stop event's wait: the time passes, no stop comes
        self.now += timeout
        while self.todo and self.now >= self.todo[0][0]:
            self.todo.pop(0)[1]()
        return False

    def at(self, wait_s: float, change) -> None:
        self.todo.append((self.now + wait_s, change))


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(pipeline_mod.time, "monotonic", lambda: c.now)
    return c


def paced(clock, speed: float = 1.0) -> Pipeline:
    pipe = Pipeline(ArraySource(part(0), 64, 48), model=SumModel(), post=NO_POST, speed=speed)
    pipe._stop_evt.wait = clock.wait
    assert pipe._pace(part(0))  # (the clock starts at the first part)
    return pipe


def played_s(pipe: Pipeline, clock, t_us: int) -> float:
    start = clock.now
    assert pipe._pace(part(t_us))
    return clock.now - start


def speed_to(pipe: Pipeline, speed: float):
    def change():  # as the viewer's speed box does (gui.session.set_speed)
        pipe.speed = speed
        pipe.resume()
    return change


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
