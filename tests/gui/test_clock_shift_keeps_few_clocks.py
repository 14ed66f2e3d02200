"""``ClockShift`` kept one entry a jump back for matching frames to their shift, and never let
one go: a viewer recording a looping replay (each pass a jump back, the recorder's clock never
asked for a frame's time) or a camera that kept dropping grew the list for as long as it ran.
Only the clocks a frame may still be on are kept."""

from __future__ import annotations

import numpy as np

from evfocus_live.events import from_arrays
from evfocus_live.gui.recording import ClockShift

N = 50  # events a batch, 10 µs apart


def _events(t0_us: int):
    t = t0_us + np.arange(N, dtype=np.int64) * 10
    return from_arrays(t, t % 64, (t // 64) % 48, t % 2)


def _clocks_kept(clock: ClockShift) -> int:
    return len(clock._clocks)  # (what the matching holds)


def test_a_looping_replays_recording_keeps_few_clocks():
    clock = ClockShift(say=False)  # (as the recorder's: no frame asks it)
    for _ in range(5000):  # passes of a 2 ms file
        for t0 in (0, 500, 1000, 1500):
            clock.place(_events(t0))
    assert clock.shift_us > 5000 * 1900
    assert _clocks_kept(clock) <= 16


def test_a_camera_that_keeps_dropping_keeps_few_clocks_and_frames_keep_their_shift():
    clock = ClockShift(say=False)
    wall_s, last_us = 0.0, -1
    for _ in range(3000):  # opened again each time with its clock from 0, two frames on each clock
        for t0 in (0, 500, 1000):
            wall_s += 0.001
            clock.advance(_events(t0), wall_s=wall_s)
        for frame_us in (200, 1400):
            t_us = clock.frame_time_us(frame_us, clock.clock)
            assert t_us == frame_us + clock.shift_us and t_us > last_us
            last_us = t_us
        wall_s += 1.0  # (away)
    assert _clocks_kept(clock) <= 16
