"""The ring's clock marks against a plain list: pushes larger than the capacity, overflow
that drops past a mark, clears (a seek) with marks pending, pops with ``max_events`` (0
too). Each ``pop_clocked`` takes the oldest events of one clock, in order, with that clock's
number, and never returns nothing while events are held (no mark left at the oldest event)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.ringbuffer import EventRingBuffer


def _expected_pop(held: list[tuple[int, int]], max_events: int | None):
    """(the events a clocked pop takes, their clock) from ``held`` [(seq, clock)], which loses them."""
    clock = held[0][1]
    k = next((i for i, (_, c) in enumerate(held) if c != clock), len(held))
    if max_events is not None:
        k = min(k, max_events)
    taken = [s for s, _ in held[:k]]
    del held[:k]
    return taken, clock


@pytest.mark.parametrize("seed", range(200))
def test_clocked_pops_match_a_list(seed):
    r = random.Random(seed)
    cap = r.randint(1, 20)
    rb = EventRingBuffer(cap)
    held: list[tuple[int, int]] = []  # (sequence number, clock) of each event held, oldest first
    clock = seq = 0
    for _ in range(60):
        op = r.random()
        if op < 0.2:
            clock += r.choice([1, 1, 2])
            rb.set_clock(clock)
        elif op < 0.55:
            n = r.randint(0, 2 * cap)
            ev = np.zeros(n, dtype=EVENT_DTYPE)
            ev["t"] = np.arange(seq, seq + n)
            held = (held + [(seq + i, clock) for i in range(n)])[-cap:]
            seq += n
            rb.push(ev)
        elif op < 0.6:
            rb.clear()
            held = []
        else:
            max_events = r.choice([None, None, r.randint(0, 5)])
            ev, _, got_clock = rb.pop_clocked(max_events)
            if not held:
                assert len(ev) == 0
                continue
            taken, want_clock = _expected_pop(held, max_events)
            assert (list(ev["t"]), got_clock) == (taken, want_clock)
        assert rb.fill == len(held)
