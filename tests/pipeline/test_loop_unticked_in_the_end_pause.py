"""The pause at a RAW file's end that a looping replay plays before its next pass (up to
``MAX_GAP_S``): "loop" unticked in it still played the rest and started the next pass, the viewer
saying "(then it plays again from the start)" of a replay that was not to loop. Unticked, the
replay ends there, as one that does not loop ends at its last event. The wall clock is faked."""

from __future__ import annotations

import pytest
from pause_support import clock, looped  # noqa: F401 (a fixture)


def test_loop_unticked_in_the_end_pause_ends_the_replay(clock):
    pipe = looped(clock, 3_000_000)  # (a 2 s pause after the last event at 1 s)
    clock.at(0.5, lambda: setattr(pipe, "loop", False))
    start = clock.now
    assert pipe._loop_to_start() is False  # (was True: the next pass, 2 s on)
    assert clock.now - start == pytest.approx(0.5, abs=0.05)
    assert pipe.played_gap is None
    assert pipe.stats.loops == 0
