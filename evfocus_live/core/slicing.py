"""Cut a stream of event batches into windows for the network.

Four slicers share one streaming interface (:class:`Slicer`): ``push(batch)`` returns
the windows that batch completed (windows may span any number of batches),
``flush()`` returns the last, partial window at end of stream, ``reset(t_us)`` forgets
everything (seek, source change).

* :class:`DurationSlicer` -- fixed duration ``window_ms`` (windows start at the first
  event and tile time without gaps).
* :class:`CountSlicer` -- fixed number of events (E2VID: 0.35 events per pixel).
* :class:`TimestampSlicer` -- exactly one window per given timestamp, holding the
  events since the previous timestamp (align to APS frames / ground truth).
* :class:`AdaptiveSlicer` -- duration based, but keeps events per window within
  ``[min_events, max_events]``; warns (rate-limited) about nearly empty / overfull windows.

Timestamp policy (all slicers): an event belongs to the window that contains the
*running maximum* of the timestamps seen so far. So an out-of-order event whose ``t``
is earlier than the current window start goes into the current window (never into an
already emitted one), and events stay in stream order. Large jumps in time (a paused
camera, a recording spanning hours) never produce millions of empty windows: the
duration slicer emits at most ``max_empty_windows`` empty windows and skips ahead; the
adaptive slicer realigns its next window to the next event. A step back of more than
:data:`RESTART_BACK_US` (1 s) is a clock restart, not a late event: the windows so far are
completed (the open one ending 1 µs after its last event, ``cut``) and the slicer starts over at the new time (given timestamps are of one clock: there
it is only said, and the later events join the current window); a restart is said to
``on_restart`` where set (the pipeline's way to the viewer's status bar), else logged. Late
events are not said one by one (EVT3 files step back a few µs by design), but the duration and adaptive
slicers count those more than one window behind the running maximum (folded into a window
they do not belong to) and warn once, as soon as there are at least :data:`LATE_MIN_EVENTS`
and :data:`LATE_MIN_FRACTION` of the events so far, judged after :data:`LATE_MIN_SEEN` events
(a few stray late events near a file's start were a share of a handful and warned for a file
well under the bar) or at the stream's end (a live camera's stream never ends: said
only at the end, a camera with a broken clock never said it), with the count so far and to
``on_late`` (the pipeline's way to the viewer's status bar); a file with reversed time gave
one frame with no word. At the stream's end an info line gives the total when it grew since.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ..events import EVENTS_TEXT, as_events, concat, empty

log = logging.getLogger(__name__)

__all__ = ["Window", "Slicer", "DurationSlicer", "CountSlicer", "TimestampSlicer",
           "AdaptiveSlicer", "make_slicer", "default_window_events", "RateLimitedLogger"]


def default_window_events(width: int, height: int, events_per_pixel: float = 0.35) -> int:
    """E2VID's default window size: ``events_per_pixel`` x sensor pixels (>= 1)."""
    return max(1, int(round(events_per_pixel * width * height)))


@dataclass(frozen=True)
class Window:
    """One window of events.

    Attributes:
        events: the events (``EVENT_DTYPE``, stream order; may be a view).
        t_start_us: start of the window (inclusive) on the sensor clock.
        t_us: the time the reconstructed frame stands for: the window end for duration,
            timestamp and adaptive windows, the last event's time for count windows. (``flush``
            keeps the last, partial window's full length; the Pipeline ends it 1 µs after the
            last event read, so that its frame is not stamped past the recording, and ``cut``
            at a clock change 1 µs after its own last event.)
        frame: False for the part of an overfull timestamp window cut off before its time:
            the network takes its events (its state), no frame stands for it.
        clock: the number of the live camera's clock its events are on (``FrameResult.clock``).
    """

    events: np.ndarray
    t_start_us: int
    t_us: int
    frame: bool = True
    clock: int = 0

    @property
    def n_events(self) -> int:
        return len(self.events)


@runtime_checkable
class Slicer(Protocol):
    """Streaming slicer interface."""

    def push(self, batch: np.ndarray) -> list[Window]: ...

    def flush(self) -> list[Window]: ...

    def reset(self, t_us: int | None = None) -> None: ...


class RateLimitedLogger:
    """Log a warning per key at most once every ``interval_s`` (counting the rest)."""

    def __init__(self, logger: logging.Logger, interval_s: float = 5.0):
        self.logger = logger
        self.interval_s = interval_s
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def warning(self, key: str, msg: str, *args) -> bool:
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.interval_s:
            self._suppressed[key] = self._suppressed.get(key, 0) + 1
            return False
        n = self._suppressed.pop(key, 0)
        self._last[key] = now
        if n:
            msg += " (%d similar warnings suppressed)"
            args = (*args, n)
        self.logger.warning(msg, *args)
        return True

    def take_suppressed(self) -> dict[str, int]:
        """The warnings left unsaid since each key's last, forgotten (for a final count)."""
        left, self._suppressed = self._suppressed, {}
        return left


#: the most events a duration (or timestamp) window holds before it is cut (16 M: 208 MB of
#: events, 50x a 33 ms window of a 1280x720 camera at 10 Mev/s)
MAX_PENDING_EVENTS = 16_000_000

#: a step back in event time larger than this is a clock restart (a camera re-opened or
#: reset), not a late event: the windows start over from the new time
RESTART_BACK_US = 1_000_000
#: ... unless it comes within this many events of the last one, RESTARTS_CLOSE_MAX times in a
#: row: a clock does not restart every few events, shuffled or per-pixel grouped rows do (each
#: restart flushed a window: 200 k shuffled events made over 11 k frames in 10 min, unfinished)
RESTART_MIN_EVENTS = 1000
RESTARTS_CLOSE_MAX = 8

#: late events (more than one window behind the running max t) are said once there are at
#: least this many and at least this share of the events so far
LATE_MIN_EVENTS = 100
LATE_MIN_FRACTION = 0.01
#: ... and the share is judged once this many events were seen (or at the stream's end)
LATE_MIN_SEEN = 10_000


class _StreamSlicer:
    """Shared state: pending chunks (events + effective times) and the running max t.

    ``push`` first looks for a clock restart: a late event would join the newest window,
    but after a restart every event is "late" until the new clock passes the old one, so
    windows would stop (for hours) while the pending events grow without bound. Before the
    restart the windows are completed (as ``flush`` does), then the slicer starts over.
    """

    #: TimestampSlicer's windows are given times of one clock: no restarts there
    restarts = True
    #: count events more than ``window_us`` behind the running max (said once they matter)
    counts_late = False
    #: ``flush`` gives the open window its planned end (duration, adaptive), not its last event's
    ends_on_grid = False
    #: called with the late-events warning once it is logged (from the thread that pushes), and
    #: with the broken time order's (restarts every few events: see ``_too_many_restarts``)
    on_late: Callable[[str], None] | None = None
    #: called with a clock restart's warning and the new clock's first event time, instead of the
    #: log (the pipeline logs it, once per restart, and shows it: see ``Pipeline._clock_restart``)
    on_restart: Callable[[str, int], None] | None = None

    def __init__(self):
        self._chunks: list[tuple[np.ndarray, np.ndarray]] = []
        self._n_pending = 0
        self._tmax: int | None = None
        self._restart_log = RateLimitedLogger(log, 10.0)
        #: given times (no restarts): the one restart has been said; the old clock's max stays,
        #: so every later batch would take the slow path and say it again
        self._restart_said = False
        # late events over the whole run (not cleared by reset: a replay that loops says it once)
        self.late_events = 0
        self.seen_events = 0
        self._late_said = False
        self._late_said_n = 0  # the count the warning gave (the end's total is said if it grew)
        self._late_summed = False
        self._restarting = False
        self._since_restart = 0  # events pushed since the last restart (or the start)
        self._close_restarts = 0  # restarts in a row within RESTART_MIN_EVENTS of the one before
        self._order_broken = False  # too many: steps back are late events from then on

    def push(self, batch: np.ndarray) -> list[Window]:
        if batch is None:
            return []
        batch = as_events(batch, lambda what: TypeError(
            f"{type(self).__name__}.push: a batch must be {EVENTS_TEXT}, got {what}"))
        if len(batch) == 0:
            return []
        out: list[Window] = []
        while True:  # one pass per restart (a loop: shuffled times restart thousands of times a batch)
            if self._restart_said:
                return out + self._push(batch)
            k = self._restart_at(batch)
            if k is not None and not self.restarts:  # given times: the later events join the current window
                self._restart_said = True
                self._say_restart(batch, k, "with given frame times, the events after it join the current window")
                k = None
            if k is not None and self.restarts and self._too_many_restarts(k):
                return out + self._push(batch)
            if k is None:
                self._since_restart += len(batch)
                return out + self._push(batch)
            self._say_restart(batch, k, "the windows start over from the new time")
            if k:
                out += self._push(batch[:k])
            out += self.cut()
            close = self._close_restarts
            self._restart()
            self._close_restarts = close  # (a restart is no seek: the count of close ones goes on)
            batch = batch[k:]

    def new_clock(self, t_us: int) -> list[Window]:
        """A live camera's new clock (opened again, reset), its first event at ``t_us``: the old
        clock's windows (:meth:`cut`), and the next starts at the next event, as at a restart found
        here (its events were late ones of the old clock's open window, and its times under the
        old clock's newest). A step back over ``RESTART_BACK_US`` is left to :meth:`push`, which says it."""
        out = self.cut()
        if self._tmax is None or t_us >= self._tmax - RESTART_BACK_US:
            close = self._close_restarts
            self._restart()
            self._close_restarts = close
        return out

    def cut(self) -> list[Window]:
        """:meth:`flush` at a clock change (a restart found here, a live camera's new clock the
        pipeline is told of: ``FrameResult.clock``): the open window ends 1 µs after its newest
        event, where a window runs its planned length (a full window on, its frame was stamped at
        a time of the old clock that no event reached, out of step with the events)."""
        t_max = self._tmax
        self._restarting = True  # (not the end: late events are said at the real one)
        try:
            out = self.flush()
        finally:
            self._restarting = False
        if out and self.ends_on_grid and t_max is not None:
            w = out[-1]
            end = max(w.t_start_us + 1, t_max + 1)
            if end < w.t_us:
                out[-1] = dataclasses.replace(w, t_us=end)
        return out

    def _too_many_restarts(self, k: int) -> bool:
        """True (said once) when restarts keep coming every few events: the time order is broken,
        so from now on (seeks and a new slicer for new settings included) a step back is a late
        event of the current window."""
        close = self._since_restart + k < RESTART_MIN_EVENTS
        self._close_restarts = self._close_restarts + 1 if close else 0
        if self._close_restarts < RESTARTS_CLOSE_MAX and not self._order_broken:
            return False
        if not self._order_broken:
            msg = (f"event time jumped back by over {RESTART_BACK_US / 1e6:.0f} s {self._close_restarts} times, "
                   f"each within {RESTART_MIN_EVENTS} events of the last: the time order is broken (shuffled "
                   "rows, or rows grouped by pixel?), not a clock restart; later steps back join the current "
                   "window (sort the events by time)")
            log.warning("%s", msg)
            if self.on_late is not None:  # (the viewer's status bar said "a clock restart?" just before)
                self.on_late(msg)
        self._order_broken = True
        self._restart_said = True  # (cleared by a seek: then one more look, and straight back here)
        return True

    def _say_restart(self, batch: np.ndarray, k: int, then: str) -> None:
        """The clock restart at ``batch[k]``: to ``on_restart`` where set, else to the log (at
        most once every 10 s: a clock jumping back and forth is said once, with a count)."""
        t_us = int(batch["t"][k])
        back_s = (self._tmax_before(batch, k) - t_us) / 1e6
        msg = f"event time jumped back by {back_s:.1f} s (a clock restart?): {then}"
        if self.on_restart is not None:
            self.on_restart(msg, t_us)
        else:
            self._restart_log.warning("restart", "%s", msg)

    def _tmax_before(self, batch: np.ndarray, k: int) -> int:
        t = int(batch["t"][:k].max()) if k else -(1 << 62)
        return max(t, self._tmax if self._tmax is not None else t)

    def _restart_at(self, batch: np.ndarray) -> int | None:
        """Index of the first event more than RESTART_BACK_US before the running max."""
        t = batch["t"]
        lo, hi = int(t.min()), int(t.max())  # (two vector reductions: the usual batch ends here)
        if hi - lo <= RESTART_BACK_US and (self._tmax is None or lo >= self._tmax - RESTART_BACK_US):
            return None
        run = np.maximum.accumulate(t)
        if self._tmax is not None:
            run = np.maximum(run, self._tmax)
        back = np.flatnonzero(t < run - RESTART_BACK_US)
        return int(back[0]) if len(back) else None

    def _restart(self) -> None:
        """Forget the old clock: the next window starts at the next event."""
        self.reset(None)

    def _push(self, batch: np.ndarray) -> list[Window]:
        raise NotImplementedError

    def flush(self) -> list[Window]:
        raise NotImplementedError

    def reset(self, t_us: int | None = None) -> None:
        raise NotImplementedError

    def _effective_t(self, batch: np.ndarray) -> np.ndarray:
        te = np.maximum.accumulate(batch["t"])
        if self._tmax is not None and te[0] < self._tmax:
            te = np.maximum(te, self._tmax)
        self._tmax = int(te[-1])
        if self.counts_late:
            self.seen_events += len(te)
            self.late_events += int(np.count_nonzero(batch["t"] < te - self.window_us))
            if (not self._late_said and self.late_events >= LATE_MIN_EVENTS
                    and self.seen_events >= LATE_MIN_SEEN):  # (three int compares a batch)
                self._say_late()
        return te

    def _say_late(self) -> None:
        """While streaming: one warning with the count of late events so far, once they matter."""
        n, seen = self.late_events, self.seen_events
        if n < LATE_MIN_FRACTION * seen:
            return
        self._late_said, self._late_said_n = True, n
        msg = (f"{n} of {seen} events so far ({100 * n / seen:.1f} %) were more than one window "
               f"({self.window_us / 1e3:.1f} ms) older than an event before them and were put in the "
               "window then open: the input's time order is broken (a camera clock gone wrong, "
               "reversed or shuffled timestamps?); the frames mix those times (evfocus info counts "
               "the steps back)")
        log.warning("%s", msg)
        if self.on_late is not None:
            self.on_late(msg)

    def _sum_late(self) -> None:
        """At the end of the stream (a file's, or a looping replay's first pass): the total, once,
        as an info line, when it grew after the warning (which gave the count so far). Only the
        first end: a later one's count holds the passes since (a loop's), not the file's."""
        n, seen = self.late_events, self.seen_events
        if self._restarting or self._late_summed:
            return
        self._late_summed = True
        if not self._late_said and n >= LATE_MIN_EVENTS:  # (a stream shorter than LATE_MIN_SEEN)
            self._say_late()
            return
        if not self._late_said or n == self._late_said_n:
            return
        log.info("late events in all: %d of %d (%.1f %%) more than one window old", n, seen, 100 * n / seen)

    def carry_late(self, old: object) -> None:
        """Go on with ``old``'s late-event count (a new slicer for new window settings): one
        warning per run, not one per window change. A time order found broken stays so (its
        steps back were taken for clock restarts again, seven times, each said)."""
        self._order_broken = self._order_broken or getattr(old, "_order_broken", False)
        if self.counts_late and getattr(old, "counts_late", False):
            self.late_events, self.seen_events = old.late_events, old.seen_events
            self._late_said, self._late_said_n = old._late_said, old._late_said_n
            self._late_summed = old._late_summed

    def _append(self, batch: np.ndarray, te: np.ndarray) -> None:
        if len(batch):
            self._chunks.append((batch, te))
            self._n_pending += len(batch)

    def _take(self, batch: np.ndarray | None = None, te: np.ndarray | None = None):
        chunks = self._chunks
        if batch is not None and len(batch):
            chunks = chunks + [(batch, te)]
        self._chunks, self._n_pending = [], 0
        if not chunks:
            return empty(), np.empty(0, np.int64)
        if len(chunks) == 1:
            return chunks[0]
        return concat([c[0] for c in chunks]), np.concatenate([c[1] for c in chunks])

    @property
    def t_last_us(self) -> int | None:
        """The newest event time taken since the last reset (None: none yet): where the stream
        is, for a new slicer that must go on from there."""
        return self._tmax

    def _clear(self) -> None:
        self._chunks, self._n_pending, self._tmax = [], 0, None
        self._restart_said = False
        # a seek (a loop's pass) starts the count of close restarts over: the pass before's events
        # are not "since the last restart", and a short looped file's one restart is no shuffle
        self._since_restart, self._close_restarts = 0, 0


class DurationSlicer(_StreamSlicer):
    """Windows of fixed duration.

    Parameters:
        window_ms: window length in milliseconds (> 0).
        max_empty_windows: a gap of up to this many empty windows is emitted as empty
            windows (time keeps flowing for the recurrent model); a longer gap is
            skipped: the next window starts at the grid point just before the next event.
        start_us: start of the first window (default: the first event's time).
        max_pending_events: a window that would hold more events is cut there (a warning
            says so): the events of an open window wait outside the ring, and a window of an
            hour on a busy camera grew by ~55 MB/s with no frame.

    Example::

        s = DurationSlicer(window_ms=33)
        for batch in source:
            for w in s.push(batch):
                ...
        tail = s.flush()
    """

    counts_late = True
    ends_on_grid = True

    def __init__(self, window_ms: float, max_empty_windows: int = 30, start_us: int | None = None,
                 max_pending_events: int = MAX_PENDING_EVENTS):
        super().__init__()
        self.max_pending_events = int(max_pending_events)
        self._warn = RateLimitedLogger(log, 10.0)
        self.window_us = int(round(window_ms * 1000))
        if self.window_us <= 0:
            raise ValueError("window_ms must be positive")
        self.max_empty_windows = int(max_empty_windows)
        self._start_us = start_us
        self._ws = start_us
        self.skipped_windows = 0
        self._seeked = False

    def reset(self, t_us: int | None = None, grid: bool = False) -> None:
        """Windows from ``t_us`` (a seek's time; None: ``start_us``). A seek a window or more before
        the next event starts them at that event instead, unless ``grid``: then they run from
        ``t_us`` whatever comes (a gap of empty windows, as inside a recording), as
        ``reconstruct --start-s`` asks, whose frames fall on its start plus whole windows."""
        self._clear()
        self._ws = t_us if t_us is not None else self._start_us
        self._seeked = t_us is not None and not grid

    def _restart(self) -> None:
        self._clear()
        self._ws = None  # not start_us: that is a time of the old clock

    def _push(self, batch: np.ndarray) -> list[Window]:
        if batch is None or len(batch) == 0:
            return []
        te = self._effective_t(batch)
        if self._ws is None or (self._seeked and te[0] >= self._ws + self.window_us):
            # (a seek a window or more before the next event -- a rewind to 0 or a step back past
            # the start -- began with an empty frame at that time and a window grid unlike the
            # first pass's: it starts at the next event, as when the file was opened)
            self._ws = int(te[0])
        self._seeked = False
        dt = self.window_us
        if not self._n_pending and te[0] >= self._ws + dt:
            # (a grid start in a pause: more empty windows than a recording's gap keeps are
            # skipped, as there; one empty frame at the start of a 4 s pause was made)
            gap = (int(te[0]) - self._ws) // dt
            if gap > self.max_empty_windows:
                self.skipped_windows += gap
                self._ws += gap * dt
        we = self._ws + dt
        if te[-1] < we:
            self._append(batch, te)
            if self._n_pending <= self.max_pending_events:
                return []
            # cut the open window at its newest event; the next one starts just after it
            ev, te = self._take()
            t_cut = int(te[-1]) + 1
            self._warn.warning("cut", "a %.0f ms window passed %d events: cut after %.1f ms (a shorter "
                               "--window-ms keeps every window whole)", dt / 1e3, self.max_pending_events,
                               (t_cut - self._ws) / 1e3)
            out = [Window(ev, self._ws, t_cut)]
            self._ws = t_cut
            return out
        ev, te = self._take(batch, te)
        out: list[Window] = []
        ws, i, n = self._ws, 0, len(te)
        while True:
            j = i + int(np.searchsorted(te[i:], we, side="left"))
            if j >= n:
                break
            out.append(Window(ev[i:j], ws, we))
            i = j
            gap = (int(te[i]) - we) // dt  # whole empty windows before the next event
            if gap > 0:
                if gap <= self.max_empty_windows:
                    out.extend(Window(empty(), we + k * dt, we + (k + 1) * dt) for k in range(gap))
                else:
                    self.skipped_windows += gap
                    log.debug("time jump of %d us: skipping %d empty windows", gap * dt, gap)
                we += gap * dt
            ws, we = we, we + dt
        self._ws = ws
        self._append(ev[i:], te[i:])
        return out

    def flush(self) -> list[Window]:
        self._sum_late()
        ev, _ = self._take()
        if not len(ev):
            return []
        ws = self._ws
        self._ws = ws + self.window_us
        return [Window(ev, ws, ws + self.window_us)]


class CountSlicer(_StreamSlicer):
    """Windows of a fixed number of events (stream order).

    ``t_us`` of a window is its last event's time, ``t_start_us`` the previous window's
    ``t_us`` (the first event's time for the first window). ``flush`` emits the final
    partial window when it is not empty.
    """

    def __init__(self, window_events: int):
        super().__init__()
        self.window_events = int(window_events)
        if self.window_events <= 0:
            raise ValueError("window_events must be positive")
        self._last_t: int | None = None

    def reset(self, t_us: int | None = None) -> None:
        self._clear()
        self._last_t = None

    def _push(self, batch: np.ndarray) -> list[Window]:
        if batch is None or len(batch) == 0:
            return []
        te = self._effective_t(batch)
        N = self.window_events
        if self._n_pending + len(batch) < N:
            self._append(batch, te)
            return []
        ev, te = self._take(batch, te)
        k = len(ev) // N
        out = []
        for w in range(k):
            a, b = w * N, (w + 1) * N
            out.append(self._window(ev[a:b], te[a:b]))
        self._append(ev[k * N:], te[k * N:])
        return out

    def _window(self, ev, te) -> Window:
        t0 = self._last_t if self._last_t is not None else int(te[0])
        self._last_t = int(te[-1])
        return Window(ev, t0, self._last_t)

    def flush(self) -> list[Window]:
        ev, te = self._take()
        return [self._window(ev, te)] if len(ev) else []


class TimestampSlicer(_StreamSlicer):
    """Exactly one window per timestamp.

    Window ``k`` holds the events with ``T[k-1] <= t < T[k]`` (the first one: every
    event before ``T[0]``); its ``t_us`` is ``T[k]``. Events after the last timestamp
    are discarded. ``flush`` emits the windows of all timestamps not reached yet (the
    first with the pending events, the others empty), so the count always matches.

    Parameters:
        timestamps_us: the frame times (sorted here if they are not).
        max_pending_events: when more events than this wait for the next time (times far
            apart on a busy sensor: an hour held ~55 MB/s), they are cut off as a window with
            ``frame=False`` (a warning says so): the network takes them, but one frame per
            time stays, so the output still matches the times line by line.
    """

    restarts = False  # the given times are of one clock

    def __init__(self, timestamps_us, max_pending_events: int = MAX_PENDING_EVENTS):
        super().__init__()
        self.max_pending_events = int(max_pending_events)
        self._warn = RateLimitedLogger(log, 10.0)
        #: where the events of the next frame start after a cut (None: at the previous time)
        self._cut_us: int | None = None
        ts = np.asarray(timestamps_us, dtype=np.int64).ravel()
        if len(ts) and np.any(np.diff(ts) < 0):
            log.warning("frame timestamps are not sorted; sorting them")
            ts = np.sort(ts)
        self.timestamps_us = ts
        self._k = 0
        self._first_start: int | None = None

    def reset(self, t_us: int | None = None) -> None:
        """Forget pending events; after a seek to ``t_us`` continue at the first later timestamp."""
        self._clear()
        self._k = 0 if t_us is None else int(np.searchsorted(self.timestamps_us, t_us, side="right"))
        self._first_start = None
        self._cut_us = None

    @property
    def remaining(self) -> int:
        """Timestamps whose window has not been emitted yet."""
        return len(self.timestamps_us) - self._k

    def _start(self, k: int, te0: int | None) -> int:
        if k == self._k and self._cut_us is not None:
            return self._cut_us
        if k > 0:
            return int(self.timestamps_us[k - 1])
        t0 = int(self.timestamps_us[0])
        return min(t0, te0) if te0 is not None else t0

    def _push(self, batch: np.ndarray) -> list[Window]:
        T = self.timestamps_us
        if batch is None or len(batch) == 0 or self._k >= len(T):
            return []
        te = self._effective_t(batch)
        if self._first_start is None:
            self._first_start = int(te[0])
        if te[-1] < T[self._k]:
            self._append(batch, te)
            if self._n_pending <= self.max_pending_events:
                return []
            ev, te = self._take()
            t_cut = int(te[-1]) + 1
            self._warn.warning("cut", "%d events wait for the frame at %d µs (%.1f s on): the network "
                               "takes them without a frame of their own (one frame per time stays)",
                               self.max_pending_events, int(T[self._k]), (int(T[self._k]) - t_cut) / 1e6)
            out = [Window(ev, self._start(self._k, self._first_start), t_cut, frame=False)]
            self._cut_us = t_cut
            return out
        ev, te = self._take(batch, te)
        k0 = self._k
        m = int(np.searchsorted(T, te[-1], side="right"))  # T[k0:m] are complete now
        bounds = np.searchsorted(te, T[k0:m], side="left")
        out, a = [], 0
        for k, b in zip(range(k0, m), bounds):
            b = int(b)
            out.append(Window(ev[a:b], self._start(k, self._first_start), int(T[k])))
            self._cut_us = None
            a = b
        self._k = m
        if m < len(T):
            self._append(ev[a:], te[a:])
        return out

    def flush(self) -> list[Window]:
        T = self.timestamps_us
        ev, _ = self._take()
        out = []
        for k in range(self._k, len(T)):
            events = ev if k == self._k else empty()
            out.append(Window(events, self._start(k, self._first_start), int(T[k])))
            self._cut_us = None
        self._k = len(T)
        return out


class AdaptiveSlicer(_StreamSlicer):
    """Duration windows whose event count is kept within ``[min_events, max_events]``.

    A window closes after ``window_ms`` once it holds at least ``min_events``; it is
    cut early when it reaches ``max_events`` (warning: overfull -- the scene is busier
    than the window length suits) and extended up to ``max_extend`` x ``window_ms`` to
    collect ``min_events`` (warning: nearly empty). After a pause in the stream the next
    window starts at the next event, so gaps never create empty windows.
    """

    counts_late = True
    ends_on_grid = True

    def __init__(self, window_ms: float, min_events: int, max_events: int, max_extend: float = 4.0,
                 warn_interval_s: float = 5.0):
        super().__init__()
        self.window_us = int(round(window_ms * 1000))
        if self.window_us <= 0:
            raise ValueError("window_ms must be positive")
        self.min_events = max(0, int(min_events))
        self.max_events = max(1, int(max_events), self.min_events)
        self.max_extend = max(1.0, float(max_extend))
        self._ws: int | None = None
        self._warn = RateLimitedLogger(log, warn_interval_s)
        self.n_overfull = 0
        self.n_sparse = 0

    def reset(self, t_us: int | None = None, grid: bool = False) -> None:
        """Windows from the next event; ``grid``: from ``t_us`` (``reconstruct --start-s``, as
        :meth:`DurationSlicer.reset`), or the next event where it comes a window or more later."""
        self._clear()
        self._ws = t_us if grid else None

    def _push(self, batch: np.ndarray) -> list[Window]:
        if batch is None or len(batch) == 0:
            return []
        te = self._effective_t(batch)
        if self._ws is None:
            self._ws = int(te[0])
        ws, dt = self._ws, self.window_us
        ext_us = int(dt * self.max_extend)
        n_tot = self._n_pending + len(batch)
        last = int(te[-1])
        if (n_tot < self.max_events and last < ws + dt) or (n_tot <= self.min_events and last < ws + ext_us):
            self._append(batch, te)
            return []
        ev, te = self._take(batch, te)
        n = len(te)
        out, a = [], 0
        while a < n:
            if te[a] >= ws + dt:
                ws = int(te[a])  # pause in the stream: realign instead of emitting empty windows
            cand = []
            if a + self.max_events <= n:
                cand.append((a + self.max_events, "count"))
            s = a + int(np.searchsorted(te[a:], ws + dt, side="left"))
            kb = max(a + self.min_events, s)
            if kb < n:
                cand.append((kb, "time"))
            kc = a + int(np.searchsorted(te[a:], ws + ext_us, side="left"))
            if kc < n:
                cand.append((kc, "extend"))
            if not cand:
                break
            c, why = min(cand)
            if why == "count":
                t_end = int(te[c - 1]) + 1
                if te[c - 1] < ws + dt:
                    self.n_overfull += 1
                    self._warn.warning("overfull", "event window overfull: %d events in %.1f ms "
                                       "(max %d); windows are cut early", c - a, (t_end - ws) / 1e3,
                                       self.max_events)
                t_end = max(t_end, ws + 1)
            elif why == "time":
                t_end = ws + dt if c == s else int(te[c - 1]) + 1
            else:
                t_end = ws + ext_us
                self.n_sparse += 1
                self._warn.warning("sparse", "event window nearly empty: %d events in %.1f ms "
                                   "(min %d)", c - a, ext_us / 1e3, self.min_events)
            out.append(Window(ev[a:c], ws, t_end))
            ws, a = t_end, c
        self._ws = ws
        self._append(ev[a:], te[a:])
        return out

    def flush(self) -> list[Window]:
        self._sum_late()
        ev, te = self._take()
        if not len(ev):
            return []
        ws = self._ws
        t_end = max(ws + self.window_us, int(te[-1]) + 1)
        self._ws = t_end
        return [Window(ev, ws, t_end)]


def make_slicer(cfg, width: int, height: int, timestamps_us=None) -> Slicer:
    """Build the slicer a :class:`~evfocus_live.config.WindowConfig` asks for.

    ``timestamps_us`` (mode "timestamps") overrides ``cfg.timestamps_path``.
    """
    from ..errors import ConfigError

    mode = cfg.mode
    if mode == "duration":
        return DurationSlicer(cfg.window_ms, max_empty_windows=getattr(cfg, "max_empty_windows", 30))
    if mode == "events":
        n = cfg.window_events or default_window_events(width, height, cfg.events_per_pixel)
        return CountSlicer(n)
    if mode == "timestamps":
        if timestamps_us is None:
            if getattr(cfg, "timestamps_aps", False):  # (the pipeline passes the source's APS times)
                raise ConfigError("window mode 'timestamps' from APS frames needs the frames' times")
            if not cfg.timestamps_path:
                raise ConfigError("window mode 'timestamps' needs a timestamps file")
            timestamps_us = read_timestamps(cfg.timestamps_path)
        return TimestampSlicer(timestamps_us)
    if mode == "adaptive":
        px = width * height
        return AdaptiveSlicer(cfg.window_ms, int(cfg.adaptive_min_epp * px), int(cfg.adaptive_max_epp * px),
                              max_extend=getattr(cfg, "adaptive_max_extend", 4.0))
    raise ConfigError(f"unknown window mode {mode!r} (duration, events, timestamps, adaptive)")


def read_timestamps(path) -> np.ndarray:
    """Frame times in µs from a text file: one ``t_us`` per line, or ``index t_us``
    (our ``timestamps.txt``; split by spaces, tabs, commas or semicolons); blank lines and ``#``
    comments are ignored, and so is a UTF-8 byte order mark. Decimal commas (``0,5`` from a
    German spreadsheet; ``1;0,5``) are read by the event text files' rule
    (:func:`~evfocus_live.sources.text_file.dialect`), so ``0,5`` is the 0.5 it means (refused,
    as 0.5 is, for a time in seconds) and not index 0 at 5 µs. A file of ``index,t_us`` rows
    alone (the index counting up by one) keeps its commas as separators."""
    from pathlib import Path

    from ..errors import ConfigError, read_user_text
    from ..sources.text_file import dialect

    p = Path(path)
    text = read_user_text(p, "timestamps")
    index_rows = _index_comma_rows(text)
    raw_lines = text.splitlines()  # (as written: the dialect keeps each line's place)
    if not index_rows:
        blob = text.encode()
        text = blob.translate(table).decode() if (table := dialect(blob, columns=1, header=False)) else text
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if not index_rows and _GROUPED_US.fullmatch(line):  # ("1,500 3,000" was index 1 at 500 µs, 3 at 0)
            raise ConfigError(f"{p}:{i}: {line!r} has a thousands separator, or is 'index,t_us' with "
                              "times that do not go up; write t_us without separators")
        parts = line.replace(",", " ").replace(";", " ").split()  # (a spreadsheet's CSV: ";")
        if len(parts) > 2:
            raise ConfigError(f"{p}:{i}: expected 't_us' or 'index t_us', got {line!r}")
        try:
            t = float(parts[-1])
            if not abs(t) < 2.0 ** 62:  # inf, nan, 1e30: no µs time (and int64 overflows)
                raise ValueError
        except ValueError:
            raise ConfigError(f"{p}:{i}: not a timestamp in µs: {parts[-1]!r}") from None
        if t != round(t):  # E2VID's files hold seconds: rounding them to µs gave frames at 0-1 µs
            raise ConfigError(f"{p}:{i}: {parts[-1]!r} is not a whole number of µs "
                              f"(a file in seconds? write t_us = t_s * 1e6){_one_pair_hint(raw_lines, lines, i)}")
        out.append(int(round(t)))
    if not out:
        raise ConfigError(f"{p}: no timestamps in file")
    return np.asarray(out, dtype=np.int64)


#: one 'a,b' pair of whole numbers: an index and a time, or a number with a decimal comma
_ONE_COMMA_PAIR = re.compile(r"(\d+)\s*,\s*(\d+)")
#: a time in µs with thousands separators (``1,500``), in an ``--at`` file not of ``index,t_us`` rows
_GROUPED_US = re.compile(r"[-+]?[1-9]\d{0,2}(,\d{3})+")


def _one_pair_hint(raw_lines: list[str], lines: list[str], i: int) -> str:
    """The other reading of a file whose one row is ``a,b`` (``0,33000``): read with a decimal
    comma, 0.33, it is refused; as our ``timestamps.txt`` it is frame 0 at 33000 µs, and one row
    cannot show which (two or more do: :func:`_index_comma_rows`). Before, the error showed
    '0.33000' only, a number the user never wrote, and said seconds."""
    raw = raw_lines[i - 1].split("#", 1)[0].strip() if i <= len(raw_lines) else ""
    m = _ONE_COMMA_PAIR.fullmatch(raw)
    if not m or sum(1 for ln in lines if ln.split("#", 1)[0].strip()) != 1:
        return ""
    return (f"; if {raw!r} is 'index,t_us' (frame {m[1]} at {m[2]} µs), write '{m[1]} {m[2]}', "
            f"or '{m[2]}' alone")


def _index_comma_rows(text: str) -> bool:
    """Whether every row, two or more, is ``index,t_us`` in whole numbers with both the index
    and the time going up (a comma-separated ``timestamps.txt``, frames dropped or every 10th
    kept included): the one reading in which ``0,5`` is not 0.5 (decimal commas, ``0,5 1,0
    1,5``, repeat a whole part; a single row cannot show either going up, so it is read as a
    number). (An index counting up by one only: ``0,0 2,33000`` and ``10,1000 20,2000``, read
    on main, became "not a whole number of µs".)"""
    import re

    rows = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
    pairs = [re.fullmatch(r"(\d+)\s*,\s*(-?\d+)", r) for r in rows if r]
    if len(pairs) < 2 or not all(pairs):
        return False
    index, t_us = [int(m[1]) for m in pairs], [int(m[2]) for m in pairs]
    return all(b > a for a, b in zip(index, index[1:])) and all(b > a for a, b in zip(t_us, t_us[1:]))
