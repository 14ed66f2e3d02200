"""Slicer semantics: duration / count / timestamps / adaptive, across batch borders."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.config import WindowConfig
from evfocus_live.core.slicing import (AdaptiveSlicer, CountSlicer, DurationSlicer, TimestampSlicer,
                                       default_window_events, make_slicer, read_timestamps)
from evfocus_live.errors import ConfigError
from evfocus_live.events import EVENT_DTYPE


def ev_at(ts) -> np.ndarray:
    ev = np.zeros(len(ts), dtype=EVENT_DTYPE)
    ev["t"] = ts
    ev["x"] = np.arange(len(ts)) % 100
    return ev


def run(slicer, events, batch_sizes) -> list:
    out, i = [], 0
    for n in batch_sizes:
        out += slicer.push(events[i:i + n])
        i += n
    assert i >= len(events)
    return out + slicer.flush()


def split_sizes(n, seed):
    rng = np.random.default_rng(seed)
    sizes = []
    while sum(sizes) < n:
        sizes.append(int(rng.integers(1, max(2, n // 7))))
    return sizes


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_duration_windows_independent_of_batching(seed):
    ev = make_events(20_000, duration_us=100_000, seed=seed)
    one = run(DurationSlicer(window_ms=7), ev, [len(ev)])
    many = run(DurationSlicer(window_ms=7), ev, split_sizes(len(ev), seed))
    assert [(w.t_start_us, w.t_us, w.n_events) for w in one] == [(w.t_start_us, w.t_us, w.n_events) for w in many]
    t0 = int(ev["t"][0])
    assert len(one) == (int(ev["t"][-1]) - t0) // 7000 + 1
    assert sum(w.n_events for w in one) == len(ev)
    for k, w in enumerate(one):
        assert w.t_start_us == t0 + k * 7000 and w.t_us == w.t_start_us + 7000
        if w.n_events:
            assert w.events["t"].min() >= w.t_start_us and w.events["t"].max() < w.t_us
    assert np.array_equal(np.concatenate([w.events for w in many]), ev)


def test_duration_short_gap_gives_empty_windows_long_gap_skips():
    ts = [0, 1, 2, 3500, 3600, 10_000_000_000, 10_000_000_500]  # then a jump of ~2.8 hours
    s = DurationSlicer(window_ms=1, max_empty_windows=5)
    wins = s.push(ev_at(ts)) + s.flush()
    counts = [w.n_events for w in wins]
    assert counts[:4] == [3, 0, 0, 2]  # [0,1000) [1000,2000) [2000,3000) [3000,4000)
    assert len(wins) == 5  # no millions of empty windows
    assert wins[-1].n_events == 2 and wins[-1].t_start_us <= 10_000_000_000 < wins[-1].t_us
    assert s.skipped_windows > 1_000_000


def test_out_of_order_events_join_current_window():
    ts = [0, 500, 1200, 900, 1500, 2100, 100, 2200]
    s = DurationSlicer(window_ms=1)
    wins = s.push(ev_at(ts[:4])) + s.push(ev_at(ts[4:])) + s.flush()
    assert [list(w.events["t"]) for w in wins] == [[0, 500], [1200, 900, 1500], [2100, 100, 2200]]


@pytest.mark.parametrize("seed", [0, 3])
def test_count_windows(seed):
    ev = make_events(10_007, seed=seed)
    wins = run(CountSlicer(1000), ev, split_sizes(len(ev), seed))
    assert [w.n_events for w in wins] == [1000] * 10 + [7]
    assert np.array_equal(np.concatenate([w.events for w in wins]), ev)
    for a, b in zip(wins, wins[1:]):
        assert b.t_start_us == a.t_us
    assert all(w.t_us == w.events["t"][-1] for w in wins)


def test_default_window_events():
    assert default_window_events(346, 260) == round(0.35 * 346 * 260)
    assert default_window_events(1280, 720) == round(0.35 * 1280 * 720)
    assert default_window_events(1, 1) == 1


@pytest.mark.parametrize("seed", [0, 5])
def test_timestamp_windows_one_per_timestamp(seed):
    ev = make_events(5_000, t0_us=1000, duration_us=100_000, seed=seed)
    T = [500, 20_000, 20_000, 55_555, 99_000, 150_000, 200_000]
    wins = run(TimestampSlicer(T), ev, split_sizes(len(ev), seed))
    assert [w.t_us for w in wins] == T
    t = ev["t"]
    expect = [np.sum(t < 500)] + [np.sum((t >= a) & (t < b)) for a, b in zip(T, T[1:])]
    assert [w.n_events for w in wins] == expect
    assert wins[0].n_events == 0  # nothing before 500 µs
    assert wins[-1].n_events == 0 and wins[-2].n_events > 0
    assert [w.t_start_us for w in wins[1:]] == T[:-1]


def test_timestamp_window_events_before_first_go_to_first():
    ev = ev_at([10, 20, 30, 40, 50])
    wins = run(TimestampSlicer([35, 45]), ev, [2, 3])
    assert [list(w.events["t"]) for w in wins] == [[10, 20, 30], [40]]  # 50 is after the last one
    assert wins[0].t_start_us == 10


def test_timestamp_reset_after_seek():
    s = TimestampSlicer([100, 200, 300, 400])
    s.push(ev_at([50, 150]))
    s.reset(250)
    assert s.remaining == 2
    wins = s.push(ev_at([260, 310])) + s.flush()
    assert [w.t_us for w in wins] == [300, 400]
    assert [list(w.events["t"]) for w in wins] == [[260], [310]]


def test_adaptive_keeps_counts_in_bounds_and_warns(caplog):
    # dense first half (1 event/µs), sparse second half (1 event / 1000 µs)
    dense = np.arange(0, 20_000)
    sparse = np.arange(20_000, 220_000, 1000)
    ev = ev_at(np.concatenate([dense, sparse]))
    s = AdaptiveSlicer(window_ms=10, min_events=50, max_events=5000, max_extend=3.0, warn_interval_s=60)
    with caplog.at_level(logging.WARNING, logger="evfocus_live.core.slicing"):
        wins = run(s, ev, split_sizes(len(ev), 1))
    assert sum(w.n_events for w in wins) == len(ev)
    assert all(w.n_events <= 5000 for w in wins)
    assert s.n_overfull > 0 and s.n_sparse > 0
    # rate-limited: one warning per kind despite many occurrences
    msgs = [r.getMessage() for r in caplog.records]
    assert sum("overfull" in m for m in msgs) == 1 and sum("nearly empty" in m for m in msgs) == 1
    # sparse windows were extended to 3x the duration to collect events
    assert max(w.t_us - w.t_start_us for w in wins) == 30_000


def test_adaptive_gap_realigns_without_empty_windows():
    ts = list(range(0, 5000, 10)) + list(range(3_600_000_000, 3_600_005_000, 10))
    s = AdaptiveSlicer(window_ms=1, min_events=20, max_events=10_000)
    wins = s.push(ev_at(ts)) + s.flush()
    assert all(w.n_events > 0 for w in wins)
    assert len(wins) <= 12
    assert sum(w.n_events for w in wins) == len(ts)


def test_make_slicer_modes(tmp_path):
    assert isinstance(make_slicer(WindowConfig(mode="duration"), 10, 10), DurationSlicer)
    c = make_slicer(WindowConfig(mode="events"), 1280, 720)
    assert isinstance(c, CountSlicer) and c.window_events == round(0.35 * 1280 * 720)
    assert make_slicer(WindowConfig(mode="events", window_events=123), 10, 10).window_events == 123
    p = tmp_path / "ts.txt"
    p.write_text("# frames\n0 1000\n1 2000\n\n3000\n")
    s = make_slicer(WindowConfig(mode="timestamps", timestamps_path=str(p)), 10, 10)
    assert list(s.timestamps_us) == [1000, 2000, 3000]
    a = make_slicer(WindowConfig(mode="adaptive"), 100, 100)
    assert isinstance(a, AdaptiveSlicer) and a.min_events == 500 and a.max_events == 10_000
    with pytest.raises(ConfigError):
        make_slicer(WindowConfig(mode="bogus"), 10, 10)
    with pytest.raises(ConfigError):
        make_slicer(WindowConfig(mode="timestamps"), 10, 10)


def test_read_timestamps_errors(tmp_path):
    with pytest.raises(ConfigError, match="no such|cannot read"):
        read_timestamps(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("100\nabc\n")
    with pytest.raises(ConfigError, match=":2:"):
        read_timestamps(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    with pytest.raises(ConfigError, match="no timestamps"):
        read_timestamps(empty)
    for value in ("inf", "1e30", "nan"):  # once an OverflowError traceback
        bad.write_text(f"100\n{value}\n")
        with pytest.raises(ConfigError, match=":2: not a timestamp"):
            read_timestamps(bad)


@pytest.mark.parametrize("make", [lambda: DurationSlicer(10), lambda: CountSlicer(500),
                                  lambda: AdaptiveSlicer(10, 100, 5000)], ids=["duration", "count", "adaptive"])
def test_clock_restart_starts_the_windows_over(make, caplog):
    """A camera whose clock restarts (t from 100 s back to 0): every later event was "late",
    so duration windows stopped for 100 s of stream while the pending events grew without
    bound, and count windows kept the old time."""
    before = ev_at(np.linspace(100_000_000, 100_200_000, 10_000).astype(np.int64))
    after = ev_at(np.linspace(0, 200_000, 10_000).astype(np.int64))
    s = make()
    wins = []
    for part in np.array_split(np.concatenate([before, after]), 37):  # the restart mid-batch
        wins += s.push(part)
    assert s._n_pending < 2_000
    late = [w for w in wins if w.t_us < 1_000_000]
    assert len(late) >= 10 and late[-1].t_us > 150_000  # windows on the new clock, up to date
    assert sum(w.n_events for w in wins) + s._n_pending == 20_000  # nothing lost
    assert all(a.t_us <= b.t_us for a, b in zip(wins[:len(wins) - len(late)], wins[1:len(wins) - len(late)]))
    assert "clock restart" in caplog.text
    # a late event (0.5 s back) still joins the newest window: not a restart
    caplog.clear()
    s = make()
    wins = s.push(before) + s.push(ev_at(np.array([99_700_000] * 600)))
    assert all(w.t_us >= 100_000_000 for w in wins) and "clock restart" not in caplog.text


def test_a_window_too_long_for_memory_is_cut_not_grown_forever(caplog):
    """An hour's window on a busy camera kept every event outside the ring (~55 MB/s, no frame)."""
    s = DurationSlicer(3_600_000, max_pending_events=5_000)
    ev = ev_at(np.arange(0, 40_000, dtype=np.int64) * 10)  # 400 ms of events, 100 kev/s
    wins = []
    for part in np.array_split(ev, 40):
        wins += s.push(part)
        assert s._n_pending <= 5_000 + 1_000
    assert len(wins) >= 6 and all(w.n_events > 5_000 for w in wins)
    assert all(a.t_us == b.t_start_us for a, b in zip(wins, wins[1:]))  # they tile time
    assert sum(w.n_events for w in wins) + s._n_pending == len(ev)
    assert "cut after" in caplog.text
