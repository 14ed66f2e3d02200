"""A seek to before a recording's first event (``Pipeline.seek(0)`` from the Python API, where
the viewer clamps to the recording) is no seek into a pause: the replay waited out the time
from 0 to the first event (up to ``MAX_GAP_S``, 5 s of nothing at the start of a recording
whose clock starts at 5 s). The wall clock is faked."""

from __future__ import annotations

import pytest
from pause_support import clock, part, played_s  # noqa: F401 (clock: a fixture)
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.pipeline import Pipeline


@pytest.mark.parametrize("sought_us", [0, 2_000_000])
def test_a_seek_before_the_first_event_waits_for_nothing(clock, sought_us):
    pipe = Pipeline(ArraySource(part(3_000_000), 64, 48), model=SumModel(), post=NO_POST)
    pipe._stop_evt.wait = clock.wait
    pipe.seek(sought_us)
    assert played_s(pipe, clock, 3_000_000) == 0  # (was 3 s, and 1 s)
    assert pipe.played_gap is None
    assert played_s(pipe, clock, 3_100_000) == pytest.approx(0.1, abs=0.03)  # paced from there
