"""The slow-event-filter check weighs a filter's time against the event time its batch spans.
That span was the last minus the first timestamp: negative for an unsorted batch (every filter
over ``SLOW_POST_MS`` was "slower than real time"), and the whole recording for a batch where a
replay starts over. Now it is max - min, summed over the runs between clock restarts."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
import slow_steps
from conftest import make_events
from pipeline_support import run_on_fake_clock

from evfocus_live.pipeline import events_span_ms
from evfocus_live.plugins import POSTPROCESSORS
from evfocus_live.sources import npy_file

BATCH = 500


class Filter60ms(slow_steps.SleepyFilter):
    """60 ms a batch: over ``SLOW_POST_MS`` (50) but under the ~170 ms each batch here spans."""

    def __init__(self):
        super().__init__(0.060)


def test_an_unsorted_batch_spans_its_max_minus_min():
    t = np.array([900, 100, 500, 300], np.int64)
    assert events_span_ms(t) == 0.8  # (last - first: -0.6)


def test_a_batch_where_a_replay_starts_over_spans_its_two_runs():
    t = np.array([9_000_000, 9_100_000, 9_200_000, 0, 50_000], np.int64)  # (then the start again)
    assert events_span_ms(t) == 250.0  # (200 + 50; max - min: 9200)


def test_short_batches_span_nothing():
    assert events_span_ms(np.array([], np.int64)) == 0.0
    assert events_span_ms(np.array([5], np.int64)) == 0.0


def test_a_filter_faster_than_its_unsorted_batches_is_not_said(tmp_path, monkeypatch):
    ev = make_events(12 * BATCH, width=64, height=48, duration_us=2_000_000)
    for i in range(0, len(ev), BATCH):  # (each batch read backwards: last - first < 0)
        ev[i:i + BATCH] = ev[i:i + BATCH][::-1].copy()
    rec = tmp_path / "rec.npy"
    np.save(rec, ev)
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", BATCH)
    plugins = [EntryPoint("ev_60ms", "test_event_filter_span_robust:Filter60ms", POSTPROCESSORS)]
    pipe, said, frames = run_on_fake_clock(monkeypatch, rec, ("ev_60ms",), plugins, slow_steps.clock_s)
    try:
        assert len(frames) >= 4
        assert said == [] and pipe.stats.slow_event_filters == ""
    finally:
        pipe.close()
