"""The late-events warning judged its 1 % share over the events seen so far from the first
batch on: a hundred stray late events near a file's start were 2 % of the first few thousand
and warned for a file far under the bar. The share is now judged once LATE_MIN_SEEN events
were seen, or at the stream's end (a short stream over the bar still says it)."""

from __future__ import annotations

import logging

from conftest import make_events

from evfocus_live.core.slicing import LATE_MIN_EVENTS, LATE_MIN_SEEN, DurationSlicer


def _late_said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and "time order is broken" in r.getMessage()]


def _stream(ev, caplog) -> DurationSlicer:
    s = DurationSlicer(10)
    with caplog.at_level(logging.INFO, logger="evfocus_live.core.slicing"):
        for k in range(0, len(ev), 1024):
            s.push(ev[k:k + 1024])
        s.flush()
    return s


def test_stray_late_events_near_the_start_of_a_long_file_stay_silent(caplog):
    ev = make_events(200_000, t0_us=0, duration_us=4_000_000, seed=3)
    ev["t"][1000:1000 + LATE_MIN_EVENTS] -= 50_000  # 100 late events in the first batches (at 20 ms)
    ev["t"][ev["t"] < 0] = 0
    s = _stream(ev, caplog)
    assert s.late_events >= LATE_MIN_EVENTS and s.late_events < 0.01 * s.seen_events
    assert _late_said(caplog) == []  # before: warned in the first batches (100 of ~2000: 5 %)


def test_a_short_stream_over_the_bar_says_it_at_its_end(caplog):
    n = LATE_MIN_SEEN // 2
    ev = make_events(n, t0_us=0, duration_us=1_000_000, seed=4)
    ev["t"][100::20] -= 50_000  # 5 % late, in a stream too short to judge while it runs
    ev["t"][ev["t"] < 0] = 0
    s = _stream(ev, caplog)
    said = _late_said(caplog)
    assert len(said) == 1 and said[0].startswith(f"{s.late_events} of {n} events")
