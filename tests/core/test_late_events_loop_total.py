"""A looping replay whose late events come at the end of the file (a clock stepped back before
the recording stopped): the warning came at the end of the first pass with the whole count, and
the second pass's end then said "late events in all" with both passes' events counted (twice
the file's events, twice its late ones). The total belongs to the first end only."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.core.slicing import AdaptiveSlicer, DurationSlicer


def _file_with_a_late_end() -> list[np.ndarray]:
    """200 ms of events, then a batch of 300 events 100 ms in the past."""
    out = [make_events(2000, t0_us=k * 20_000, duration_us=20_000, seed=k) for k in range(10)]
    out.append(make_events(300, t0_us=100_000, duration_us=1000, seed=99))
    return out


@pytest.mark.parametrize("kind", ["duration", "adaptive"])
def test_a_looping_replay_gives_no_total_of_several_passes(kind, caplog):
    s = DurationSlicer(10) if kind == "duration" else AdaptiveSlicer(10, min_events=1, max_events=10**6)
    with caplog.at_level(logging.INFO, logger="evfocus_live.core.slicing"):
        for _ in range(3):  # three passes of a looping replay
            for b in _file_with_a_late_end():
                s.push(b)
            s.flush()
            s.reset(0)  # (the loop's seek to the start)
    said = [r.getMessage() for r in caplog.records if "time order is broken" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("300 of 20300 events so far"), said
    totals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("late events in all")]
    assert totals == [], totals  # (before: "600 of 40600" at the second pass's end)
