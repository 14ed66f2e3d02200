"""The pause at the end of a RAW file a looping replay plays (``end_us()``, s29-pauses) waited out
the end it computed at the old speed: "max" (speed 0) or 4x chosen in it still waited the whole
pause, where any other pause in the recording ends sooner (``_wait_paced``). The wall clock is
faked: nothing here is timed."""

from __future__ import annotations

import pytest
from pause_support import clock, loop_s, looped, speed_to  # noqa: F401 (clock: a fixture)


@pytest.mark.parametrize("speed,wall_s", [(0.0, 0.5), (4.0, 0.5 + 1.5 / 4), (0.5, 0.5 + 1.5 / 0.5)])
def test_a_speed_chosen_in_the_end_pause_plays_its_rest_at_that_speed(clock, speed, wall_s):
    pipe = looped(clock, 3_000_000)  # (a 2 s pause after the last event at 1 s)
    clock.at(0.5, speed_to(pipe, speed))
    assert loop_s(pipe, clock) == pytest.approx(wall_s, abs=0.05)  # (was 2.0 each)
    assert pipe.played_gap is None

