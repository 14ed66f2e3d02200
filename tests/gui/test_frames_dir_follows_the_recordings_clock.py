"""A live camera opened again with its clock back at 0: ``--frames-dir``'s frame numbers went
on but the times in its timestamps.txt started again from 0, while a ``--record`` file beside it
was written on after the time the camera was away: frames and recorded events no longer lined
up. A live camera's frames now take the recording's shift (``ClockShift``, shared)."""

from __future__ import annotations

import numpy as np
import pytest
from frames_clock_support import ScriptedCam, events, run_frames

from evfocus_live.gui.recording import ClockShift

AWAY_S = 0.4
N = 2000  # events a batch, 2 µs apart
#: batches from 2 s on its clock, nothing for ``AWAY_S``, then batches on a clock from 0 (opened again)
SCRIPT = [(2_000_000 + i * 5000,) for i in range(20)] + [None] + [(i * 5000,) for i in range(20)]


def _run(tmp_path, tiny_model, record: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """(frame times in timestamps.txt, recorded event times or None)."""
    return run_frames(tmp_path, tiny_model, ScriptedCam(SCRIPT, AWAY_S), record)


@pytest.mark.usefixtures("one_torch_thread")
def test_frames_and_recording_share_the_clock_after_a_reopen(tmp_path, tiny_model):
    frames_t, events_t = _run(tmp_path, tiny_model, record=True)
    assert len(frames_t) > 10 and (np.diff(frames_t) > 0).all(), frames_t  # (was: back to ~0)
    first_after_gap_us = int(events_t[20 * N])
    after = frames_t[frames_t > int(events_t[20 * N - 1])]
    assert len(after) and after[0] >= first_after_gap_us and after[-1] <= int(events_t[-1])


@pytest.mark.usefixtures("one_torch_thread")
def test_frames_alone_keep_the_time_away(tmp_path, tiny_model):
    frames_t, _ = _run(tmp_path, tiny_model, record=False)
    assert (np.diff(frames_t) > 0).all(), frames_t
    assert int(np.diff(frames_t).max()) >= (AWAY_S - 0.05) * 1e6


def test_a_clock_that_made_no_frame_is_passed_over():
    """Lost again before a window was made on its clock: the next clock's shift, not that one's."""
    clock = ClockShift(say=False)
    clock.advance(events(2_000_000), wall_s=10.0)
    assert clock.frame_time_us(2_003_000, clock.clock) == 2_003_000
    clock.advance(events(0), wall_s=11.0)  # 2000 events to 3998 µs, then lost
    clock.advance(events(0), wall_s=13.0)
    clock.advance(events(4000), wall_s=13.01)
    shifted = clock.frame_time_us(7000, clock.clock)
    assert shifted == 7000 + clock.shift_us and shifted > 2_003_998 + 2_900_000
