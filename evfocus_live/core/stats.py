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


class FrameRate:
    """Frames per second from the intervals between the last ``history`` frames (those of the
    last ``span_s``): a count over the last second (:class:`RateMeter`) read 0.0, 1.0 and 2.0
    by turns for a model making 1.4 frames a second, as the second held none, one or two.
    Once no frame has come for twice the usual interval (and at least 1 s), 0; the next frame
    starts the history afresh (a pause's gap among the intervals read 10 fps as 2.8). While the
    history holds its start, a leading interval over twice the mean of those after it is left
    out: the model's slow warm-up (seconds on a CPU) read 10 fps as about 1 for 16 frames.

    Thread-safe: the worker thread adds, the GUI reads. Same calls as :class:`RateMeter`.
    """

    def __init__(self, history: int = 16, span_s: float = 10.0):
        self.span_s = float(span_s)
        self._t: collections.deque[float] = collections.deque(maxlen=max(2, int(history)))
        #: frames added since the history started (afresh): its leading intervals are judged
        #: while this is under ``history`` (see :meth:`_leave_out_warm_up`)
        self._since_start = 0
        self._lock = threading.Lock()

    def add(self, amount: float = 1, now: float | None = None) -> None:
        """One frame at wall time ``now`` (``amount`` is for :class:`RateMeter`'s calls)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if self._gap_before(now):
                self._t.clear()
            if not self._t:
                self._since_start = 0
            self._t.append(now)
            self._since_start += 1
            if self._since_start < (self._t.maxlen or 0):
                self._leave_out_warm_up()

    def _leave_out_warm_up(self) -> None:
        """Drop the history's first frames while the interval after the first is over twice the
        mean of the two or more after it (a warm-up's, or two: a traced model's second call optimises;
        one later interval alone is no measure: frames painted in pairs)."""
        t = self._t
        while len(t) >= 4 and t[1] - t[0] > 2.0 * (t[-1] - t[1]) / (len(t) - 2):
            t.popleft()

    def _gap_before(self, now: float) -> bool:
        """No frame for twice the usual interval (and 1 s) before ``now``: the gap :meth:`rate` reads 0 over."""
        t = self._t
        if len(t) < 2 or t[-1] <= t[0]:
            return False
        return now - t[-1] > max(1.0, 2.0 * (t[-1] - t[0]) / (len(t) - 1))

    def rate(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            while self._t and now - self._t[0] > self.span_s:
                self._t.popleft()
            if len(self._t) < 2 or self._t[-1] <= self._t[0] or self._gap_before(now):
                return 0.0
            return (len(self._t) - 1) / (self._t[-1] - self._t[0])

    def measured(self, now: float | None = None) -> float | None:
        """:meth:`rate`, or None while there is nothing to measure it from (under two frames
        since the start, a gap or ``span_s``): a readout then says "-", not "0.0" beside the
        frame on show (a DAVIS replay's first frames stood under "display fps 0.0")."""
        now = time.monotonic() if now is None else now
        with self._lock:
            while self._t and now - self._t[0] > self.span_s:
                self._t.popleft()
            if len(self._t) < 2:
                return None
        return self.rate(now)
