"""``reconstruct --start-s A --window-ms W`` with A inside a pause longer than the empty windows
a recording's gap keeps (``max_empty_windows``) made one empty frame at A + W, then went on at
the grid point before the next event: a frame of no events, where a gap inside a recording makes
none. The windows before the next event are skipped now, on the same grid."""

from __future__ import annotations

import numpy as np
from conftest import make_events

from evfocus_live.core.slicing import DurationSlicer


def _windows(start_us: int, first_event_us: int) -> list:
    s = DurationSlicer(window_ms=10, max_empty_windows=30)
    s.reset(start_us, grid=True)
    ev = make_events(5000, t0_us=first_event_us, duration_us=100_000, seed=4)
    ev["t"][0] = first_event_us
    return s.push(ev) + s.flush()


def test_a_start_in_a_long_pause_makes_no_empty_window_and_keeps_the_grid():
    w = _windows(1_000_000, 5_000_003)
    assert w[0].t_start_us == 5_000_000 and len(w[0].events) > 0
    assert all(len(x.events) for x in w)
    assert all((x.t_start_us - 1_000_000) % 10_000 == 0 for x in w)


def test_a_start_in_a_short_pause_still_has_its_empty_windows():
    w = _windows(110_000, 137_000)
    assert [x.t_start_us for x in w[:4]] == [110_000, 120_000, 130_000, 140_000]
    assert [len(x.events) for x in w[:2]] == [0, 0] and len(w[2].events) > 0
    assert np.all(np.diff([x.t_start_us for x in w]) == 10_000)
