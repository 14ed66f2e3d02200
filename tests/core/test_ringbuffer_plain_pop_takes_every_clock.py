"""``pop()`` and ``pop_with_epoch()`` take every event held, as they did before clocks: only
``pop_clocked`` stops short of a new clock. ``Pipeline.frames()`` takes what a threaded run left
in the ring with one ``pop()``: stopped at a clock mark, the rest stayed in the ring, lost to
``frames()`` and shown out of order by a later ``start()``."""

from __future__ import annotations

import numpy as np

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.ringbuffer import EventRingBuffer


def _events(t0: int, n: int) -> np.ndarray:
    ev = np.zeros(n, dtype=EVENT_DTYPE)
    ev["t"] = np.arange(t0, t0 + n)
    return ev


def _two_clocks() -> EventRingBuffer:
    rb = EventRingBuffer(1000)
    rb.push(_events(5_000_000, 100))
    rb.set_clock(1)
    rb.push(_events(0, 50))
    return rb


def test_pop_takes_both_clocks_and_the_next_clocked_pop_is_on_the_new_one():
    rb = _two_clocks()
    assert len(rb.pop()) == 150 and rb.fill == 0
    rb.push(_events(50, 10))
    ev, _, clock = rb.pop_clocked()
    assert (len(ev), clock) == (10, 1)


def test_pop_with_epoch_takes_both_clocks():
    ev, epoch = _two_clocks().pop_with_epoch()
    assert (len(ev), epoch) == (150, 0)


def test_pop_with_max_events_still_stops_at_max_only():
    rb = _two_clocks()
    assert list(rb.pop(120)["t"][-2:]) == [18, 19]
    ev, _, clock = rb.pop_clocked()
    assert (len(ev), clock) == (30, 1)
