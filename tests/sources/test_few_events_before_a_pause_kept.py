"""A few events at a file's start (end) followed (preceded) by a pause of seconds are events a
still camera wrote: kept. The file-edge rule of ``corrupt_times.TimeGuard`` (no rows before the
first to come back to) took any run of at most 8 events beside a longer one, over 1 s away, for
corrupt: 5 events before a 2 s pause were left out with a "corrupt data?" warning and the time
range lost the pause. Only a run over an hour away (a flipped high byte) is left out there."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.sources import open_file

T0_US = 1_633_953_690_975_950
N = 20_000


def _read(path):
    with open_file(path) as src:
        return np.concatenate(list(src)), src.stats, src.time_range_us()


@pytest.mark.parametrize("end", ["first", "last"])
@pytest.mark.parametrize("pause_us", [2_000_000, 600_000_000])
def test_a_few_events_beside_a_pause_are_kept(tmp_path, end, pause_us):
    ev = make_events(N, t0_us=T0_US, duration_us=2_000_000, seed=3)
    if end == "first":
        ev["t"][:5] = T0_US - pause_us - np.arange(5)[::-1]
    else:
        ev["t"][-5:] = ev["t"][-6] + pause_us + np.arange(5)
    path = tmp_path / "pause.npy"
    np.save(path, ev)
    got, stats, rng = _read(path)
    assert stats["corrupt_times"] == 0
    assert np.array_equal(got, ev)
    assert rng == (int(ev["t"].min()), int(ev["t"].max()))


@pytest.mark.parametrize("end", ["first", "last"])
def test_a_few_events_hours_away_are_still_left_out(tmp_path, end):
    ev = make_events(N, t0_us=T0_US, duration_us=2_000_000, seed=3)
    rows = np.arange(3) if end == "first" else np.arange(N - 3, N)
    ev["t"][rows] += 5 * 3_600_000_000 * (-1 if end == "first" else 1)
    path = tmp_path / "away.npy"
    np.save(path, ev)
    got, stats, _ = _read(path)
    assert stats["corrupt_times"] == 3
    assert np.array_equal(got, np.delete(ev, rows))
