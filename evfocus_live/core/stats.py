"""Live rate meters for readouts (wall-clock based, bounded memory)."""

from __future__ import annotations

import collections
import threading
import time


class RateMeter:
    """Events (or frames) per second over a sliding window of the last ``window_s`` of wall time.

    Thread-safe; shared by the pipeline's stats and the viewer's readouts.
    """

    def __init__(self, window_s: float = 1.0):
        self.window_s = window_s
        self._q: collections.deque[tuple[float, float]] = collections.deque()
        self._sum = 0.0
        self._lock = threading.Lock()

    def add(self, amount: float, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._q.append((now, amount))
            self._sum += amount
            self._trim(now)

    def _trim(self, now: float) -> None:
        while self._q and now - self._q[0][0] > self.window_s:
            self._sum -= self._q.popleft()[1]

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._trim(now)
            return self._sum / self.window_s
