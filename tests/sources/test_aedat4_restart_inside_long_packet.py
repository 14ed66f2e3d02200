"""A camera clock restart inside an AEDAT4 packet that spans over a second (a quiet scene, or
our own writer's packets of up to 65,536 events) puts the packet's events on both sides of its
index range (first and last event's times): the events before the restart run on past the first
time, those after it start before the last. Flagging whatever lay over 1 s outside that range
left out 6,000 sound events (0.2 s) of a 2.2 s packet as "corrupt times"."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.sources import open_file
from evfocus_live.sources.aedat4_file import implausible_times
from evfocus_live.writers.aedat4 import Aedat4Writer

T0_US = 1_633_953_690_975_950  # a DAVIS's clock (µs since 1970)


def _restart_stream(before_s: float, after_s: float, rate_hz: int = 30_000) -> np.ndarray:
    a = make_events(int(rate_hz * before_s), t0_us=T0_US, duration_us=int(before_s * 1e6), seed=1)
    b = make_events(int(rate_hz * after_s), t0_us=1000, duration_us=int(after_s * 1e6), seed=2)
    return np.concatenate([a, b])


@pytest.mark.parametrize("before_s, after_s", [(1.2, 0.98), (1.05, 1.05), (0.98, 1.2)])
def test_a_restart_inside_a_long_packet_keeps_every_event(before_s, after_s):
    t = _restart_stream(before_s, after_s)["t"]
    assert not implausible_times(t, (int(t[0]), int(t[-1]))).any()


def test_the_reader_keeps_them_from_a_file_with_an_index(tmp_path):
    ev = _restart_stream(1.2, 0.98)
    path = tmp_path / "restart.aedat4"
    with Aedat4Writer(path, 346, 260, compression="none") as w:  # (one packet of 65,400 events)
        w.write(ev)
    with open_file(path) as src:
        got = np.concatenate(list(src))
        assert src.stats["corrupt_times"] == 0
    assert np.array_equal(got, ev)


@pytest.mark.parametrize("where", [0, -1, 500])
def test_a_changed_first_last_or_middle_time_is_still_caught_with_the_index(where):
    """The index's first and last times are ends a run comes back to: a changed first or last
    event (nothing after or before it in the packet) is flagged too."""
    t = make_events(3000, t0_us=T0_US, duration_us=50_000, seed=3)["t"]
    first, last = int(t[0]), int(t[-1])
    t[where] = -3_458_758_131_188_935_398
    assert np.flatnonzero(implausible_times(t, (first, last))).tolist() == [where % len(t)]
