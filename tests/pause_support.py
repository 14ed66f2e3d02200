"""A paced replay on a fake wall clock, for the tests of the pauses a replay plays (nothing timed):
its parts, the clock the reader's waits move on, and a looping replay at its last event."""

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
def wall_clock(monkeypatch):
    """``time.monotonic`` in the pipeline as a bare fake wall clock (a one-item list) that a
    test's own waits move on."""
    now = [1000.0]
    monkeypatch.setattr(pipeline_mod.time, "monotonic", lambda: now[0])
    return now


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
