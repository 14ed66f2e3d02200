"""Ring buffer: FIFO order, overflow drops the oldest, thread safety, bounded memory."""

from __future__ import annotations

import threading
import time
import tracemalloc

import numpy as np
import pytest

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.ringbuffer import EventRingBuffer


def seq_events(start: int, n: int) -> np.ndarray:
    """Events whose t is a running sequence number (so order and loss are checkable)."""
    ev = np.zeros(n, dtype=EVENT_DTYPE)
    ev["t"] = np.arange(start, start + n)
    ev["x"] = ev["t"] % 346
    return ev


def test_fifo_and_wraparound():
    rb = EventRingBuffer(10)
    rb.push(seq_events(0, 6))
    assert rb.fill == 6 and rb.fill_ratio == pytest.approx(0.6)
    assert list(rb.pop(4)["t"]) == [0, 1, 2, 3]
    rb.push(seq_events(6, 7))  # wraps around the end of storage
    assert rb.fill == 9 and rb.dropped == 0
    out = rb.pop()
    assert list(out["t"]) == list(range(4, 13))
    assert rb.fill == 0 and len(rb.pop()) == 0


def test_overflow_drops_oldest_and_counts():
    rb = EventRingBuffer(10)
    rb.push(seq_events(0, 8))
    assert rb.push(seq_events(8, 5)) == 3
    assert rb.dropped == 3 and rb.fill == 10
    assert list(rb.pop()["t"]) == list(range(3, 13))


def test_batch_larger_than_capacity_keeps_newest():
    rb = EventRingBuffer(10)
    rb.push(seq_events(0, 4))
    assert rb.push(seq_events(4, 25)) == 4 + 15
    out = rb.pop()
    assert list(out["t"]) == list(range(19, 29))
    assert rb.dropped == 19


def test_clear_keeps_dropped_counter():
    rb = EventRingBuffer(4)
    rb.push(seq_events(0, 6))
    rb.clear()
    assert rb.fill == 0 and rb.dropped == 2
    rb.push(seq_events(100, 2))
    assert list(rb.pop()["t"]) == [100, 101]


def test_pop_waits_boundedly():
    rb = EventRingBuffer(4)
    t0 = time.monotonic()
    assert len(rb.pop(timeout_s=0.05)) == 0
    assert 0.04 <= time.monotonic() - t0 < 1.0
    threading.Timer(0.02, lambda: rb.push(seq_events(0, 3))).start()
    assert len(rb.pop(timeout_s=2.0)) == 3


def test_wake_ends_a_wait_on_an_empty_ring():
    rb = EventRingBuffer(4)
    threading.Timer(0.05, rb.wake).start()
    t0 = time.monotonic()
    assert len(rb.pop(timeout_s=5.0)) == 0
    assert time.monotonic() - t0 < 2.0  # woken, not timed out
    rb.push(seq_events(0, 2))
    assert len(rb.pop(timeout_s=5.0)) == 2  # an old wake does not cut a later wait short of data


def test_invalid_capacity():
    with pytest.raises(ValueError):
        EventRingBuffer(0)


def test_fast_producer_slow_consumer_threads():
    """Full-speed producer, slow consumer: order kept, received + dropped == produced."""
    cap = 50_000
    rb = EventRingBuffer(cap)
    produced = 0
    done = threading.Event()
    max_fill = [0]

    def producer():
        nonlocal produced
        rng = np.random.default_rng(0)
        for _ in range(400):
            n = int(rng.integers(1, 20_000))
            rb.push(seq_events(produced, n))
            produced += n
            max_fill[0] = max(max_fill[0], rb.fill)
        done.set()

    received = []
    th = threading.Thread(target=producer)
    th.start()
    while not done.is_set() or rb.fill:
        ev = rb.pop(max_events=7_000, timeout_s=0.01)
        assert rb.fill <= cap
        if len(ev):
            received.append(ev["t"].copy())
        time.sleep(0.001)  # slow consumer
    th.join()
    got = np.concatenate(received)
    assert np.all(np.diff(got) > 0), "events must come out in order, without duplicates"
    assert len(got) + rb.dropped == produced
    assert rb.dropped > 0, "a slow consumer must have caused drops"
    assert max_fill[0] <= cap


def test_burst_50m_events_in_one_second_is_bounded():
    """50 M events with timestamps in one second, pushed in 1 M batches: memory stays bounded."""
    cap = 2_000_000
    rb = EventRingBuffer(cap)
    batch = seq_events(0, 1_000_000)
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        total = 0
        popped = 0
        for i in range(50):
            batch["t"] = np.arange(i * 1_000_000, (i + 1) * 1_000_000) // 50  # 50 M over 1e6 µs
            rb.push(batch)
            total += len(batch)
            if i % 10 == 9:
                popped += len(rb.pop(max_events=100_000))
            assert rb.fill <= cap
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 50_000_000
    assert popped + rb.fill + rb.dropped == total
    assert rb.dropped >= total - cap - popped
    # the newest events are what is left
    out = rb.pop()
    assert out["t"][-1] == (50_000_000 - 1) // 50
    # nothing grew with the burst: peak extra memory well under the 650 MB the burst would need
    assert peak - base < 64 * 2**20


def test_rate_meter_counts_over_its_window():
    from evfocus_live.core.stats import RateMeter

    m = RateMeter(window_s=1.0)
    for k in range(10):
        m.add(100, now=10.0 + 0.1 * k)
    assert m.rate(now=10.95) == pytest.approx(1000.0)
    assert m.rate(now=11.55) == pytest.approx(400.0)  # the first 6 samples left the window
    assert m.rate(now=20.0) == 0.0


def test_epoch_tells_events_popped_before_a_clear():
    """The pipeline's worker drops events taken before a seek's clear, and only those."""
    rb = EventRingBuffer(100)
    rb.push(seq_events(0, 10))
    ev, epoch = rb.pop_with_epoch()
    assert len(ev) == 10 and epoch == rb.epoch == 0
    rb.clear()
    assert rb.epoch == 1 and epoch != rb.epoch  # what was popped before the clear is now stale
    rb.push(seq_events(10, 5))
    ev, epoch = rb.pop_with_epoch(timeout_s=0.01)
    assert len(ev) == 5 and epoch == rb.epoch == 1
    assert len(rb.pop()) == 0  # pop() is pop_with_epoch without the epoch
