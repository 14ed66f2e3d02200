"""``--frames-dir``'s clock kept only the newest 16 clocks' shifts: a worker more than 16 camera
restarts behind the reader (a slow model, a camera that keeps dropping) gave its frames the
oldest kept clock's shift, out of step with the recording. The session's frame clock now keeps
every clock from the last frame's on (one int a clock, dropped as the frames pass them)."""

from __future__ import annotations

import pytest
from frames_clock_support import WINDOW, ScriptedCam, events

from evfocus_live.config import PostConfig

RESTARTS = 40


@pytest.mark.usefixtures("one_torch_thread")
def test_frames_forty_restarts_behind_take_their_own_shift(tiny_model):
    from evfocus_live.gui.session import LiveSession

    s = LiveSession(ScriptedCam([], away_s=0.0), WINDOW, post=PostConfig(steps=()), model_obj=tiny_model)
    clock = s.frame_clock
    wall_s, shifts = 100.0, []
    for _ in range(RESTARTS):  # opened again after 1 s away, its clock from 0, each time
        clock.advance(events(0), wall_s=wall_s)
        shifts.append(clock.shift_us)
        wall_s += 1.0
    assert len(set(shifts)) == RESTARTS
    for k, shift in enumerate(shifts):  # the worker's frames, one a clock, only now
        assert clock.frame_time_us(1000, k) == 1000 + shift, k  # (was the 24th clock's for the first 24)
    assert len(clock._clocks) <= 2  # (those passed are let go)
