"""A live camera whose clock restarts twice, the middle clock lost again before it passed the
next clock's first frame: ``--frames-dir`` matched each frame to a clock by its time, so the
next clock's frames took the middle clock's shift (the time away after it lost, out of step
with a ``--record`` file beside them). Each batch's clock number now rides with its events
through the ring and the slicer to the frame (``FrameResult.clock``)."""

from __future__ import annotations

import numpy as np
import pytest
from frames_clock_support import ScriptedCam, events, run_frames

from evfocus_live.ringbuffer import EventRingBuffer

N = 2000  # events of a full batch
#: (first time, events[, µs apart]) a batch; None: the camera is away. Clock A from 2 s; clock B
#: from 0, 300 events 20 µs apart (under a window: no frame of its own before C comes, and past
#: C's first frames' times); clock C from 0
SCRIPT = ([(2_000_000 + i * 5000, N) for i in range(10)] + [None, (0, 300, 20), None]
          + [(i * 5000, N) for i in range(10)])
C_FIRST = 10 * N + 300  # the first of clock C's events in the recording


@pytest.mark.usefixtures("one_torch_thread")
def test_the_third_clocks_frames_take_its_own_shift(tmp_path, tiny_model):
    frames_t, events_t = run_frames(tmp_path, tiny_model, ScriptedCam(SCRIPT, away_s=0.3), record=True)
    assert len(events_t) == 20 * N + 300
    assert (np.diff(frames_t) > 0).all(), frames_t
    on_c = frames_t[frames_t > int(events_t[C_FIRST - 1])]
    assert len(on_c) >= 3  # (was: the middle clock's shift, so before C's first recorded event)
    assert on_c[0] >= int(events_t[C_FIRST]) and on_c[-1] <= int(events_t[-1]), (on_c, events_t[C_FIRST])


def test_a_pop_stops_short_of_a_new_clock():
    rb = EventRingBuffer(10_000)
    rb.push(events(2_000_000, 100))
    rb.set_clock(1)
    rb.push(events(0, 50))
    rb.push(events(200, 50))
    rb.set_clock(2)
    rb.push(events(0, 30))
    got = [rb.pop_clocked() for _ in range(4)]
    assert [(len(ev), clock) for ev, _, clock in got] == [(100, 0), (100, 1), (30, 2), (0, 2)]


def test_a_clock_dropped_on_overflow_is_not_taken_for_the_next():
    rb = EventRingBuffer(100)
    rb.push(events(2_000_000, 60))
    rb.set_clock(1)
    rb.push(events(0, 60))  # (20 of clock 0 left)
    rb.set_clock(2)
    rb.push(events(0, 100))  # (only clock 2's left)
    ev, _, clock = rb.pop_clocked()
    assert (len(ev), clock) == (100, 2)
