"""Bounded event ring buffer between the source thread and the inference worker.

Why: a camera thread must never wait for a slow consumer (the sensor keeps producing
and the driver drops data itself when not serviced). So :meth:`EventRingBuffer.push`
only ever copies into pre-allocated storage under a short lock; when the buffer is
full the *oldest* events are dropped and counted, so the worker always sees the most
recent part of the stream and memory stays bounded (``capacity`` x 13 bytes).

Single producer / single consumer; both sides may be called from any thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np

from .events import EVENT_DTYPE

__all__ = ["EventRingBuffer"]


def _copy_events(dst: np.ndarray, src: np.ndarray) -> None:
    """``dst[:] = src``, as raw bytes when both are contiguous ``EVENT_DTYPE``: numpy copies a
    packed structured dtype field by field, ~12x slower (12 vs 1 ms per 1 M events), and every
    event goes through the ring twice (25 M events/s from a 1280x720 camera: 0.6 of a core
    spent copying; ``bench/bench_pipeline_overhead.py``). Anything else (another dtype, a
    strided view) is converted by numpy, as before."""
    if src.dtype == EVENT_DTYPE and src.flags.c_contiguous and dst.flags.c_contiguous:
        dst.view(np.uint8)[:] = src.view(np.uint8)
    else:
        dst[:] = src


class EventRingBuffer:
    """Fixed-capacity FIFO of events (``EVENT_DTYPE``) that drops the oldest on overflow.

    Parameters:
        capacity: maximum number of events held.

    Example::

        rb = EventRingBuffer(1_000_000)
        rb.push(batch)                  # producer: never blocks
        ev = rb.pop(timeout_s=0.05)     # consumer: whatever is there (maybe empty)
        rb.dropped                      # events lost to overflow so far
    """

    def __init__(self, capacity: int):
        capacity = int(capacity)
        if capacity <= 0:
            raise ValueError("ring buffer capacity must be positive")
        self.capacity = capacity
        self._buf = np.empty(capacity, dtype=EVENT_DTYPE)
        self._head = 0  # index of the oldest event
        self._size = 0
        self._dropped = 0
        self._clears = 0
        self._wakeups = 0
        #: batches pushed so far, and how many of them were taken whole by the consumer (or
        #: forgotten by a clear): a producer can wait until the consumer has had all it gave
        self._pushes = 0
        self._taken = 0
        #: a live camera's clock (``set_clock``): events pushed so far, where each new
        #: clock began (its first event's place in that count, its number), the clock the oldest
        #: event held is on and the newest pushed one's. No pop spans two clocks
        self._total_in = 0
        self._clock_marks: deque[tuple[int, int]] = deque()
        self._clock_out = 0
        self._clock_in = 0
        self._lock = threading.Lock()
        self._not_empty = threading.Condition(self._lock)

    # --- producer -------------------------------------------------------------
    def set_clock(self, clock: int) -> None:
        """The batches pushed from now on are on the source's clock number ``clock`` (see
        :meth:`pop_clocked`; 0 until set)."""
        with self._lock:
            if clock != self._clock_in:
                self._clock_in = clock
                self._clock_marks.append((self._total_in, clock))

    def push(self, batch: np.ndarray) -> int:
        """Append ``batch``; returns how many events were dropped to make room.

        A batch larger than the capacity keeps only its newest ``capacity`` events.
        """
        n = len(batch)
        if n == 0:
            return 0
        cap = self.capacity
        with self._lock:
            self._total_in += n
            dropped = 0
            if n >= cap:
                dropped = self._size + (n - cap)
                batch = batch[n - cap:]
                n = cap
                self._head = 0
                self._size = 0
            else:
                over = self._size + n - cap
                if over > 0:
                    self._head = (self._head + over) % cap
                    self._size -= over
                    dropped = over
            tail = (self._head + self._size) % cap
            first = min(n, cap - tail)
            _copy_events(self._buf[tail:tail + first], batch[:first])
            if first < n:
                _copy_events(self._buf[:n - first], batch[first:])
            self._size += n
            self._dropped += dropped
            self._pushes += 1
            self._not_empty.notify()
        return dropped

    # --- consumer -------------------------------------------------------------
    def pop(self, max_events: int | None = None, timeout_s: float | None = None) -> np.ndarray:
        """Remove and return up to ``max_events`` of the oldest events (a new array).

        With ``timeout_s`` it waits at most that long for data; otherwise it returns
        immediately, possibly with an empty array. It takes events of every clock (see
        :meth:`pop_clocked`): ``Pipeline.frames()`` takes what a threaded run left in one pop.
        """
        return self._pop(max_events, timeout_s, False)[0]

    def pop_with_epoch(self, max_events: int | None = None,
                       timeout_s: float | None = None) -> tuple[np.ndarray, int]:
        """:meth:`pop`, and the :attr:`epoch` it popped in (read atomically): a consumer
        can tell events taken before a :meth:`clear` (stale after a seek) from events
        pushed after it."""
        return self._pop(max_events, timeout_s, False)[:2]

    def pop_clocked(self, max_events: int | None = None,
                    timeout_s: float | None = None) -> tuple[np.ndarray, int, int]:
        """:meth:`pop_with_epoch`, and the clock its events are on (:meth:`set_clock`): it
        stops short of the first event on a new clock, so a live camera's frames take the shift
        of the clock their window was on (``ClockShift``), whatever their times."""
        return self._pop(max_events, timeout_s, True)

    def _pop(self, max_events: int | None, timeout_s: float | None,
             by_clock: bool) -> tuple[np.ndarray, int, int]:
        """The pops' one body; ``by_clock``: stop short of the first event on a new clock."""
        with self._lock:
            if self._size == 0 and timeout_s:
                deadline = time.monotonic() + timeout_s
                woken = self._wakeups
                while self._size == 0 and self._wakeups == woken:
                    left = deadline - time.monotonic()
                    if left <= 0 or not self._not_empty.wait(left):
                        break
            n = self._size if max_events is None else min(self._size, int(max_events))
            if self._clock_marks:
                oldest = self._total_in - self._size
                marks = self._clock_marks
                while marks and marks[0][0] <= oldest:
                    self._clock_out = marks.popleft()[1]
                if marks and by_clock:
                    n = min(n, marks[0][0] - oldest)
            out = np.empty(n, dtype=EVENT_DTYPE)
            if n:
                cap = self.capacity
                first = min(n, cap - self._head)
                _copy_events(out[:first], self._buf[self._head:self._head + first])
                if first < n:
                    _copy_events(out[first:], self._buf[:n - first])
                self._head = (self._head + n) % cap
                self._size -= n
                if self._size == 0:
                    self._head = 0
            if self._size == 0:
                self._taken = self._pushes
            return out, self._clears, self._clock_out

    def wake(self) -> None:
        """End a consumer's wait in :meth:`pop` now, even with nothing to pop (the
        consumer has something else to do: e.g. the end of a looping recording)."""
        with self._lock:
            self._wakeups += 1
            self._not_empty.notify_all()

    def clear(self) -> None:
        """Forget everything held (e.g. on seek); the dropped counter is kept."""
        with self._lock:
            self._head = 0
            self._size = 0
            self._clears += 1
            self._taken = self._pushes

    @property
    def epoch(self) -> int:
        """How many times :meth:`clear` ran."""
        return self._clears

    @property
    def pushes(self) -> int:
        """Non-empty batches pushed since creation."""
        return self._pushes

    @property
    def taken(self) -> int:
        """Of :attr:`pushes`, how many the last pop (or clear) left none of in the buffer."""
        return self._taken

    # --- state ----------------------------------------------------------------
    @property
    def fill(self) -> int:
        """Events currently held."""
        return self._size

    @property
    def fill_ratio(self) -> float:
        """``fill / capacity`` in [0, 1]."""
        return self._size / self.capacity

    @property
    def dropped(self) -> int:
        """Events dropped because the buffer was full, since creation."""
        return self._dropped

    def __len__(self) -> int:
        return self._size
