"""A live camera's step back of 1 ms - 1 s is a clock restart after 0.1 s of silence
(``recording.SILENCE_S``), else out-of-order time passed through. The silence was the wall time
between two batches' arrivals: a reader thread held up elsewhere for 0.15 s (the recorder's
write, the GIL, a loaded machine) while the camera streamed on made the next batch's step back
a restart: the recording and ``--frames-dir`` were moved on by the wall gap (a false 0.15 s gap,
every later event 0.15 s late) and the open window was closed early. Silence is now the time the
camera's read() waited for events since its last batch (a queued camera answers at once after
such a hold-up); a read that waited (the camera away) still makes the step back a restart."""

from __future__ import annotations

import time

import numpy as np
import pytest
from frames_clock_support import ScriptedCam, events, run_counted

from evfocus_live.gui.recording import ClockShift, Recorder

N = 2000  # events a batch, 2 µs apart: 40 400 in all, 50.5 windows of 800 (WINDOW)
BACK_US = 3_000
HOLD_S = 0.15


def _script(away: bool) -> list:
    """20 batches 5 ms apart from 2 s and one of 400; the sixth starts ``BACK_US`` before the
    fifth's last event (out of order), after the camera was away (``away``: None, a read that
    waits) or not."""
    first = [(2_000_000 + i * 5000, N) for i in range(5)]
    t5 = 2_000_000 + 4 * 5000 + (N - 1) * 2 - BACK_US
    rest = [(t5 + i * 5000, N) for i in range(15)] + [(t5 + 15 * 5000, 400)]
    return first + ([None] if away else []) + rest


def _source_times(script) -> np.ndarray:
    return np.concatenate([events(*args)["t"] for args in script if args is not None])


class HeldUpRecorder(Recorder):
    """A recorder whose write of the fifth batch holds the reader thread up for ``HOLD_S`` (a
    slow disk, the GIL): the camera streams on meanwhile, its next read answers at once."""

    def __init__(self):
        super().__init__()
        self.batches = 0

    def write_events(self, events, *args, **kwargs):
        super().write_events(events, *args, **kwargs)
        self.batches += 1
        if self.batches == 5:
            time.sleep(HOLD_S)


@pytest.mark.usefixtures("one_torch_thread")
def test_a_reader_held_up_does_not_make_an_out_of_order_step_a_restart(tmp_path, tiny_model):
    script = _script(away=False)
    made, frames_t, events_t = run_counted(tmp_path, tiny_model, ScriptedCam(script, away_s=0.0), record=True,
                                           rec=HeldUpRecorder())
    src_t = _source_times(script)
    assert len(events_t) == len(src_t)
    assert (events_t == src_t).all(), int((events_t - src_t).max())  # (was moved on by ~0.15 s: the hold-up)
    assert made == 50  # (was 51: the open window closed at the step)
    assert frames_t[-1] <= events_t.max()


@pytest.mark.usefixtures("one_torch_thread")
def test_a_camera_away_still_makes_the_step_a_restart(tmp_path, tiny_model):
    script = _script(away=True)
    _, frames_t, events_t = run_counted(tmp_path, tiny_model, ScriptedCam(script, away_s=0.3), record=True)
    src_t = _source_times(script)
    moved = events_t - src_t
    assert (moved[:5 * N] == 0).all() and (moved[5 * N:] > 250_000).all()  # on after the time away
    assert (np.diff(events_t) >= 0).all() and (np.diff(frames_t) >= 0).all()


def test_silence_is_the_time_the_reads_waited():
    def clock_after(waited_s: float | None) -> int:
        clock = ClockShift(say=False, frames=True)
        clock.advance(events(2_000_000), wall_s=10.0, waited_s=0.0)  # to 2.003998 s
        clock.advance(events(2_004_000), wall_s=10.005, waited_s=0.005)  # to 2.007998 s
        clock.advance(events(2_007_998 - BACK_US), wall_s=10.3, waited_s=waited_s)  # 0.295 s later
        return clock.clock

    assert clock_after(0.002) == 0  # its read answered at once: the reader was held up, not the camera
    assert clock_after(0.29) == 1  # its reads waited: the camera was away
    assert clock_after(None) == 1  # (not told: the wall time between the batches)
