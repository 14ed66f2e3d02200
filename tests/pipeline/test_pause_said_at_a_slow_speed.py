"""At a slow replay speed a short pause in the recording is the long wait: at 0.1x a 1 s pause
was said as "a 1.0 s pause in the recording ...: played as 5 s (pauses longer than 5 s are
shortened)", which contradicts itself. The line gives the wall time at that speed, and the rule
in wall time. The wall clock is faked: nothing here is timed."""

from __future__ import annotations

import logging

import numpy as np
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live import pipeline as pipeline_mod
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import Pipeline


def part(t_us: int) -> np.ndarray:
    ev = np.zeros(3, EVENT_DTYPE)
    ev["t"] = t_us + np.arange(3)
    return ev


def said_for(monkeypatch, caplog, speed: float, pause_us: int) -> str:
    now = [1000.0]
    monkeypatch.setattr(pipeline_mod.time, "monotonic", lambda: now[0])
    pipe = Pipeline(ArraySource(np.concatenate([part(0), part(pause_us)]), 64, 48), model=SumModel(),
                    post=NO_POST, speed=speed)

    def wait(timeout=None):
        now[0] += timeout
        return False

    pipe._stop_evt.wait = wait
    with caplog.at_level(logging.INFO, logger="evfocus_live.pipeline"):
        assert pipe._pace(part(0)) and pipe._pace(part(pause_us))
    said = [r.getMessage() for r in caplog.records if "pause in the recording" in r.getMessage()]
    assert len(said) == 1, said
    return said[0]


def test_a_short_pause_at_a_slow_speed_says_its_wall_time(monkeypatch, caplog):
    line = said_for(monkeypatch, caplog, 0.1, 1_000_000)
    assert line.startswith("a 1.0 s pause in the recording (10.0 s at 0.1x), events again at 1.0 s: "
                           "played as 5 s"), line
    assert "longer than" not in line, line


def test_at_1x_the_line_is_as_before(monkeypatch, caplog):
    line = said_for(monkeypatch, caplog, 1.0, 60_000_000)
    assert line.startswith("a 60.0 s pause in the recording, events again at 60.0 s: played as 5 s"), line
