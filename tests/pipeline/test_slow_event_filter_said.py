"""An event filter (a post-processor plugin with ``stage = "events"``, run on each read batch)
that holds the run back was not timed: only frame steps were (``SLOW_POST_MS``, "slow post
step"). Now an event-filter chain slower than ``SLOW_POST_MS`` a batch and than the events'
own time, three batches running, is said once, naming its slowest step, on ``on_warning`` (the
viewer's status bar) and in the log; a new chain is judged again. The filter's time is on the
pipeline's clock, not a real sleep (no timed test)."""

from __future__ import annotations

from pipeline_support import run_on_fake_clock
from slow_steps import PLUGINS, clock_s, rec  # noqa: F401 (rec: the fixture)

from evfocus_live.config import PostConfig
from evfocus_live.sources import npy_file


def _run(rec, steps, monkeypatch):
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", 500)  # (a dozen batches, not one)
    return run_on_fake_clock(monkeypatch, rec, steps, PLUGINS, clock_s)


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
