"""An event filter (a post-processor plugin with ``stage = "events"``, run on each read batch)
that holds the run back was not timed: only frame steps were (``SLOW_POST_MS``, "slow post
step"). Now an event-filter chain slower than ``SLOW_POST_MS`` a batch and than the events'
own time, three batches running, is said once, naming its slowest step, on ``on_warning`` (the
viewer's status bar) and in the log; a new chain is judged again. The filter's time is on the
pipeline's clock, not a real sleep (no timed test)."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
import pytest
from conftest import make_events
from pipeline_support import run_on_fake_clock

from evfocus_live.config import PostConfig
from evfocus_live.plugins import POSTPROCESSORS
from evfocus_live.sources import npy_file


class SleepyFilter:
    """An event filter that takes ``delay_s`` a batch on the pipeline's clock."""
    stage = "events"
    clock_s = [0.0]

    def __init__(self, delay_s: float = 1.0):  # (slower than any batch's own time here)
        self.delay_s = delay_s

    def __call__(self, events):
        SleepyFilter.clock_s[0] += self.delay_s
        return events

    def reset(self):
        pass


class QuickFilter(SleepyFilter):
    def __call__(self, events):
        return events


PLUGINS = [EntryPoint("sleepy_ev", "test_slow_event_filter_said:SleepyFilter", POSTPROCESSORS),
           EntryPoint("quick_ev", "test_slow_event_filter_said:QuickFilter", POSTPROCESSORS)]


@pytest.fixture
def rec(tmp_path):
    path = tmp_path / "rec.npy"
    np.save(path, make_events(6_000, width=64, height=48, duration_us=100_000))
    return path


def _run(rec, steps, monkeypatch):
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", 500)  # (a dozen batches, not one)
    return run_on_fake_clock(monkeypatch, rec, steps, PLUGINS, SleepyFilter.clock_s)


def test_a_slow_event_filter_is_said_once_by_name(rec, monkeypatch, caplog):
    pipe, said, frames = _run(rec, ("quick_ev", "sleepy_ev"), monkeypatch)
    try:
        assert len(frames) >= 4
        assert len(said) == 1, said
        assert "event filter 'sleepy_ev' takes" in said[0] and "slower than real time" in said[0], said
        assert pipe.stats.slow_event_filters == said[0] and pipe.stats.slow_post == ""
        assert [r.getMessage() for r in caplog.records if "'sleepy_ev' takes" in r.getMessage()] == said
        pipe.set_post(PostConfig(steps=("quick_ev",)))  # another chain is judged afresh
        assert pipe.stats.slow_event_filters == ""
    finally:
        pipe.close()


def test_a_fast_event_filter_says_nothing(rec, monkeypatch):
    pipe, said, frames = _run(rec, ("quick_ev",), monkeypatch)
    try:
        assert len(frames) >= 4 and said == [] and pipe.stats.slow_event_filters == ""
    finally:
        pipe.close()
