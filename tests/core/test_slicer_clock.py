"""The timestamp slicer and a clock that restarts, goes back or is given in seconds."""

from __future__ import annotations

import logging

import pytest
from conftest import make_events
from reader_support import _late_said


@pytest.mark.parametrize("kind", ["duration", "adaptive"])
def test_slicer_counts_late_events_and_says_them_once(kind, caplog):
    from evfocus_live.core.slicing import LATE_MIN_EVENTS, AdaptiveSlicer, DurationSlicer

    def slicer():
        return DurationSlicer(10) if kind == "duration" else AdaptiveSlicer(10, min_events=1, max_events=10**6)

    ev = make_events(20_000, t0_us=0, duration_us=1_000_000, seed=2)
    few = ev.copy()
    few["t"][1000:1000 + LATE_MIN_EVENTS - 1] -= 50_000  # stray late events: below the bar
    s = slicer()
    with caplog.at_level(logging.WARNING):
        for k in range(0, len(few), 4096):
            s.push(few[k:k + 4096])
        s.flush()
    assert s.late_events == LATE_MIN_EVENTS - 1 and _late_said(caplog) == []
    rev = ev[::-1].copy()
    s = slicer()
    with caplog.at_level(logging.WARNING):
        for _ in range(2):  # a replay that loops: said once
            s.reset(None)
            for k in range(0, len(rev), 4096):
                s.push(rev[k:k + 4096])
            s.flush()
    assert len(_late_said(caplog)) == 1 and s.late_events > 0.9 * s.seen_events


def test_timestamp_slicer_says_when_the_clock_restarts(caplog):
    """Given frame times are of one clock, so a step back of seconds is not a restart there:
    every later event joined the current window, silently (one window holding the rest)."""
    from evfocus_live.core.slicing import TimestampSlicer

    a = make_events(1000, 32, 24, t0_us=5_000_000, duration_us=100_000)
    b = make_events(1000, 32, 24, t0_us=0, duration_us=100_000, seed=1)
    s = TimestampSlicer([5_050_000, 5_200_000])
    with caplog.at_level("WARNING", logger="evfocus_live.core.slicing"):
        windows = s.push(a) + s.push(b) + s.flush()
    assert "jumped back by 5.1 s" in caplog.text and "given frame times" in caplog.text
    assert len(windows) == 2 and sum(w.n_events for w in windows) == 2000


def test_timestamps_in_seconds_are_refused_not_rounded_to_zero(tmp_path):
    """An E2VID-style file in seconds (0.033333) was rounded to 0 and 1 µs: silently wrong frames."""
    from evfocus_live.core.slicing import read_timestamps
    from evfocus_live.errors import ConfigError
    f = tmp_path / "ts.txt"
    f.write_text("0 0.033333\n1 0.066667\n")
    with pytest.raises(ConfigError, match="whole number of µs"):
        read_timestamps(f)
    f.write_text("0 33333\n1 66667.0\n")
    assert read_timestamps(f).tolist() == [33333, 66667]


def test_timestamp_slicer_checks_for_a_restart_once_then_not_on_every_batch(monkeypatch):
    """After a restart with given times the old clock's max stays: every later batch took the
    slow path (three passes) and repeated the warning every 10 s for the rest of the file."""
    from evfocus_live.core.slicing import TimestampSlicer

    s = TimestampSlicer([5_050_000, 5_200_000, 9_000_000])
    calls = []
    real = s._restart_at
    monkeypatch.setattr(s, "_restart_at", lambda b: calls.append(len(b)) or real(b))
    s.push(make_events(1000, 32, 24, t0_us=5_000_000, duration_us=100_000))
    s.push(make_events(1000, 32, 24, t0_us=0, duration_us=100_000, seed=1))  # the restart
    n = len(calls)
    for k in range(5):
        s.push(make_events(100, 32, 24, t0_us=200_000 + k * 100_000, duration_us=100_000, seed=k + 2))
    assert len(calls) == n  # said once; later batches go straight on
    s.reset(None)  # a seek: a new stream, checked again
    s.push(make_events(100, 32, 24, t0_us=5_000_000, duration_us=1000))
    assert len(calls) == n + 1
