"""A live camera's time stepping back by 1 ms - 1 s while it streams on (no reconnect, no silence)
was taken for a clock restart by ``ClockShift`` (any step back over 1 ms): a new clock number, so
the ring's pop stopped there and the pipeline closed the open window early (one more, partial,
frame with event-count windows), and the recording and ``--frames-dir`` moved the later events on
by the step. Such a step is out-of-order time, passed through as the readers pass it, and the
slicer puts its events in the open window; a restart (the camera opened again, or back after a
silence, or a step over 1 s) still starts a new clock and closes the window."""

from __future__ import annotations

import numpy as np
import pytest
from frames_clock_support import ScriptedCam, events, run_counted

from evfocus_live.gui.recording import ClockShift

N = 2000  # events a batch, 2 µs apart: 40 400 in all, 50.5 windows of 800 (WINDOW)


def _script(back_us: int) -> list:
    """20 batches 5 ms apart from 2 s and one of 400 events; the sixth starts ``back_us`` before
    the fifth's last event (12.5 windows in: a cut there makes one window more in all, 51),
    the rest go on from it."""
    first = [(2_000_000 + i * 5000, N) for i in range(5)]
    t5 = 2_000_000 + 4 * 5000 + (N - 1) * 2 - back_us
    return first + [(t5 + i * 5000, N) for i in range(15)] + [(t5 + 15 * 5000, 400)]


def _source_times(script) -> np.ndarray:
    return np.concatenate([events(*args)["t"] for args in script])


@pytest.mark.parametrize("back_us", [3_000, 300_000])
@pytest.mark.usefixtures("one_torch_thread")
def test_a_small_step_back_neither_closes_the_window_nor_moves_the_events(tmp_path, tiny_model, back_us):
    script = _script(back_us)
    made, frames_t, events_t = run_counted(tmp_path, tiny_model, ScriptedCam(script, away_s=0.0), record=True)
    assert made == 50  # (was 51: a partial window at the step)
    assert (events_t == _source_times(script)).all()  # passed through (was: moved on by the step)
    assert (np.diff(frames_t) >= 0).all() and frames_t[-1] <= events_t.max()


def _clock_after(step_back_us: int, gap_s: float, reopened: bool = False) -> tuple[int, int]:
    """(clock number, shift) after a batch ``step_back_us`` before the last, ``gap_s`` later."""
    clock = ClockShift(say=False, frames=True)
    clock.advance(events(2_000_000), wall_s=10.0)  # to 2.003998 s
    clock.advance(events(2_004_000), wall_s=10.005)  # to 2.007998 s
    if reopened:
        clock.restarted()
    clock.advance(events(2_007_998 - step_back_us), wall_s=10.005 + gap_s)
    return clock.clock, clock.shift_us


def test_a_step_back_under_a_second_while_streaming_is_no_new_clock():
    assert _clock_after(3_000, 0.005) == (0, 0)
    assert _clock_after(900_000, 0.005) == (0, 0)


def test_a_restart_is_still_a_new_clock():
    assert _clock_after(1_500_000, 0.005)[0] == 1  # over 1 s back: the slicer's restart too
    assert _clock_after(3_000, 0.3)[0] == 1  # back after a silence (away, opened again)
    clock, shift = _clock_after(3_000, 0.005, reopened=True)  # the reconnect said so
    assert clock == 1 and shift > 3_000
    assert _clock_after(500, 0.3) == (0, 0)  # (jitter under 1 ms: never)
