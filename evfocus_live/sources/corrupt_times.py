"""Event times no camera wrote: one detection for every file reader.

Bytes changed in an uncompressed file (a bad disk, a copy gone wrong) still decode, and one
flipped timestamp byte read as ~7e16 µs: ``evfocus info`` gave a duration of 2,000 years,
``reconstruct`` stamped a frame with it, and the viewer's slider spanned it. A camera's clock
moves on or restarts; it never jumps away and comes back. So a run of events over
``jump_us`` away from the time before it that the stream then comes back to is left out; a
step that the stream goes on from (a clock restart, a pause) is kept. Used by the AEDAT4
reader per packet (its index gives the packet's ends) and by the column readers (``.npy``,
``.npz``, HDF5, text) per batch, with a few rows read on each side of it as context.

A float or uint64 ``t`` whose changed byte makes it no time at all (NaN, inf, beyond int64 µs)
is read as :data:`NOT_A_TIME_US` and always left out, counted with the rest, as is a row whose
float x, y or p is NaN or inf (:func:`~.npy_file.nonfinite_rows`); a batch with
more of them than a few rows and :data:`MAX_CORRUPT_SHARE` of its events is a column that holds
no event times, refused (:class:`~evfocus_live.errors.InputError`).
"""

from __future__ import annotations

import logging
import threading

import numba
import numpy as np

from ..core.slicing import RESTART_BACK_US
from ..errors import InputError

log = logging.getLogger(__name__)

#: at most this share of a packet's (batch's) events left out for their times: changed bytes
#: touch a few events; more is a stream out of time order, passed on as it is
MAX_CORRUPT_SHARE = 0.1
#: a run of events away is left out only if the stream comes back within this many events: a
#: few flipped bytes touch a few events (and the search stays linear in the batch)
MAX_RUN_EVENTS = 1024
#: a run of at most this many events at a file's first or last rows, beside a longer one, is
#: taken for a run away (see :class:`TimeGuard`); also the rows a seek's probe reads on each side
CONTEXT_ROWS = 8
#: rows read on each side of a batch with a step over 1 s as its context: a run of up to
#: :data:`MAX_RUN_EVENTS` that crosses the batch's edge comes back within them (with 8, a run of
#: 20 changed rows across a 512 k-event batch edge was kept: a 2 s file read as 12 days)
NEIGHBOUR_ROWS = MAX_RUN_EVENTS
#: at a file's first or last rows (no context on that side) a short run is taken for corrupt only
#: if it lies over this far from the rest: a flipped high byte (hours to millennia) is caught,
#: while a few events before a pause of seconds or minutes (a camera left still) are kept
EDGE_JUMP_US = 3_600_000_000
#: the time of a row whose ``t`` is no number (NaN, inf) or beyond int64 µs in the file
#: (:func:`~.npy_file.timestamps_to_us`; an HDF5 file's ``t_offset`` is not added to it): before,
#: one such row refused the whole file. INT64_MIN: what such a value wrapped to
NOT_A_TIME_US = -(1 << 63)


@numba.njit(nogil=True, cache=True)
def count_jumps(t, jump_us):
    """Steps over ``jump_us`` either way between neighbouring times (float: garbage times
    overflow an int64 difference); 0 in a sound sorted batch, so the full check is skipped."""
    n = 0
    for i in range(1, t.shape[0]):
        if abs(float(t[i]) - float(t[i - 1])) > jump_us:
            n += 1
    return n


@numba.njit(nogil=True, cache=True)
def span_of(t, jump_us):
    """(min, max, :func:`count_jumps`) of a non-empty ``t`` in one pass (a time range scan)."""
    lo = hi = t[0]
    n = 0
    for i in range(1, t.shape[0]):
        v = t[i]
        if v < lo:
            lo = v
        if v > hi:
            hi = v
        if abs(float(v) - float(t[i - 1])) > jump_us:
            n += 1
    return lo, hi, n


@numba.njit(nogil=True, cache=True)
def _excursions(tf, jump_us, max_run, bad):
    """Mark in ``bad`` each run of ``tf`` over ``jump_us`` away from the time before it that
    comes back (within ``max_run`` events) to near that time."""
    n = tf.shape[0]
    anchor = tf[0]
    i = 1
    while i < n:
        if abs(tf[i] - tf[i - 1]) <= jump_us or abs(tf[i] - anchor) <= jump_us:
            anchor = tf[i]
            i += 1
            continue
        back = -1
        for j in range(i + 1, min(n, i + 1 + max_run)):
            if abs(tf[j] - tf[j - 1]) > jump_us and abs(tf[j] - anchor) <= jump_us:
                back = j
                break
        if back < 0:  # (never comes back: a clock restart, the new clock)
            anchor = tf[i]
            i += 1
            continue
        for k in range(i, back):
            bad[k] = True
        i = back


def implausible_times(t: np.ndarray, index_range: tuple[int, int] | None = None,
                      jump_us: int = RESTART_BACK_US, before=(), after=(), share: float = MAX_CORRUPT_SHARE
                      ) -> np.ndarray:
    """Mask of the events of ``t`` whose times no camera wrote (module docstring).

    ``index_range``: a packet's first and last time as its writer knew them (AEDAT4's index), so
    a changed first or last event is caught too; not "outside that range": a restart inside a
    packet puts its events on both sides of it (a 2.2 s packet lost 0.2 s of sound events).
    ``before``/``after``: times of the rows around ``t`` in the file (the same use).
    More than ``share`` of ``t`` so flagged (or steps over ``jump_us`` between over twice that
    share of its events) is a stream out of time order (shuffled rows, which the slicer takes as
    late events), not changed bytes: none is. ``share=1``: no such limit (a seek's few rows)."""
    n = len(t)
    if not count_jumps(t, jump_us) and not len(before) and not len(after) and index_range is None:
        return np.zeros(n, dtype=bool)
    if index_range is not None:
        before, after = [*before, index_range[0]], [index_range[1], *after]
    tf = np.concatenate([np.asarray(before, np.float64), np.asarray(t, np.float64),
                         np.asarray(after, np.float64)])
    if share < 1 and count_jumps(tf, jump_us) > 2 * share * n + 2:
        return np.zeros(n, dtype=bool)
    bad = np.zeros(len(tf), dtype=bool)
    _excursions(tf, float(jump_us), MAX_RUN_EVENTS, bad)
    bad = bad[len(before):len(before) + n]
    return bad if np.count_nonzero(bad) <= share * n else np.zeros(n, dtype=bool)


def rows_around(t_us_of, n_events: int):
    """The context of :class:`TimeGuard` for a column file: the :data:`NEIGHBOUR_ROWS` times on
    each side of rows ``i0..i1``, from ``t_us_of(i, j)`` (rows i..j of the t column in µs; fresh
    arrays: HDF5 batches are packed on prefetch threads); None at the file's first or last row."""
    def around(i0: int, i1: int):
        before = t_us_of(max(0, i0 - NEIGHBOUR_ROWS), i0) if i0 > 0 else None
        after = t_us_of(i1, min(n_events, i1 + NEIGHBOUR_ROWS)) if i1 < n_events else None
        return before, after
    return around


class TimeGuard:
    """Leaves out events of a file whose times no camera wrote (:func:`implausible_times`),
    batch by batch, and says so once: the first batch's count in a warning, later ones summed at
    the stream's first end (:meth:`flush`), as :class:`~.npy_file.DropCounter` says drops.

    ``context(start, end)``: the times just before and after the batch read from ``start`` to
    ``end`` (rows, or bytes of a text file; :func:`rows_around`), read only around a batch that
    has a step over 1 s; None where the batch begins or ends the file: a run of at most
    :data:`CONTEXT_ROWS` events there, before (after) a longer one, is then taken for a run away
    from it if it lies over :data:`EDGE_JUMP_US` away (a first row's flipped time made the file's
    time range 2,000 years; a few events before a pause of seconds are kept; a camera clock
    restarting within the first or last few events of a file over an hour away loses them).
    ``quiet``: only count (scans for a time range or a seek index, whose events reads say)."""

    def __init__(self, name, context, quiet: bool = False):
        self._name, self._context, self._quiet = name, context, quiet
        self.total = self._logged = 0
        self._summed = False
        self._lock = threading.Lock()

    def bad(self, t: np.ndarray, start, end, jumps: int | None = None) -> np.ndarray | None:
        """Mask of ``t`` (times of the events read from ``start`` to ``end``) to leave out, None
        if none; not counted. ``jumps``: :func:`count_jumps` of ``t`` where the caller counted it.
        Rows that are no time (:data:`NOT_A_TIME_US`) are always in it; InputError where they
        are over :data:`MAX_CORRUPT_SHARE` of ``t`` (and over :data:`CONTEXT_ROWS`)."""
        if not (count_jumps(t, RESTART_BACK_US) if jumps is None else jumps):
            # (a sound batch; or one of no times only, which has no steps either)
            if not len(t) or t[0] != NOT_A_TIME_US:
                return None
        no_time = t == NOT_A_TIME_US
        k = int(np.count_nonzero(no_time))
        if not k:
            return self._away(t, start, end)
        if k > max(CONTEXT_ROWS, MAX_CORRUPT_SHARE * len(t)):
            raise InputError(f"{self._name}: {k:,} of {len(t):,} events read together have timestamps that "
                             "are no numbers (NaN/inf) or beyond the int64 µs range, or x/y/p values that "
                             f"are NaN/inf: over {MAX_CORRUPT_SHARE:.0%} of them, so the columns "
                             "do not hold events (a few such rows are left out as corrupt)")
        bad = no_time.copy()
        sound = np.flatnonzero(~no_time)
        if len(sound):
            away = self._away(t[sound], start, end)
            if away is not None:
                bad[sound[away]] = True
        return bad

    def _away(self, t: np.ndarray, start, end) -> np.ndarray | None:
        """:meth:`bad` for times that are all numbers: the runs away that come back."""
        if not count_jumps(t, RESTART_BACK_US):
            return None
        before, after = self._context(start, end)
        # (a context row that is no time is no context)
        before = before if before is None or not len(before) else _times_only(before)
        after = after if after is None or not len(after) else _times_only(after)
        before, after = edge_context(t, before, after)
        bad = implausible_times(t, None, RESTART_BACK_US, before, after)
        return bad if bad.any() else None

    def filter(self, ev: np.ndarray, start, end, jumps: int | None = None) -> np.ndarray:
        """``ev`` (the events read from ``start`` to ``end``) without those with implausible
        times, counted (``jumps``: as for :meth:`bad`)."""
        bad = self.bad(ev["t"], start, end, jumps)
        if bad is None:
            return ev
        self.add(int(np.count_nonzero(bad)))
        return ev[~bad]

    def add(self, n: int) -> None:
        with self._lock:
            if not self.total and not self._quiet:
                log.warning("%s: left out %d event(s) with times over %g s away from their neighbours', "
                            "no times at all (NaN/inf, beyond int64 µs) or x/y/p NaN/inf "
                            "(corrupt data?); later ones are summed at the end", self._name, n,
                            RESTART_BACK_US / 1e6)
                self._logged = n
            self.total += n

    def flush(self) -> None:
        """Say the events left out since the first warning, at the stream's first end only (a
        looping replay reads them again)."""
        with self._lock:
            if self.total > self._logged and not self._quiet and not self._summed:
                log.warning("%s: left out %d more corrupt event(s)", self._name,
                            self.total - self._logged)
                self._logged = self.total
            self._summed = True


def edge_context(t: np.ndarray, before, after) -> tuple:
    """``before``/``after`` for :func:`implausible_times`, where a side of ``t`` has none (None:
    a file's first or last rows; each side of an AEDAT4 packet without an index): a run of at
    most :data:`CONTEXT_ROWS` events at that end of ``t``, beside a longer one and over
    :data:`EDGE_JUMP_US` away from it, gets the longer run's nearest time as its context, so it
    is a run away (see :class:`TimeGuard`); else no context (``()``)."""
    if before is not None and after is not None:
        return before, after
    steps = np.flatnonzero(np.abs(np.diff(np.asarray(t, np.float64))) > RESTART_BACK_US)
    # (steps[k]: the last event of a run; the runs around the first and the last step)
    ends = [-1, *steps.tolist(), len(t) - 1]
    if before is None:  # (the first run short, the next longer: it is the one to come back to)
        short_first = (len(steps) and ends[1] - ends[0] <= CONTEXT_ROWS < ends[2] - ends[1]
                       and abs(int(t[ends[1] + 1]) - int(t[ends[1]])) > EDGE_JUMP_US)
        before = t[ends[1] + 1:ends[1] + 2] if short_first else ()
    if after is None:
        short_last = (len(steps) and ends[-1] - ends[-2] <= CONTEXT_ROWS < ends[-2] - ends[-3]
                      and abs(int(t[ends[-2] + 1]) - int(t[ends[-2]])) > EDGE_JUMP_US)
        after = t[ends[-2]:ends[-2] + 1] if short_last else ()
    return before, after


def _times_only(t) -> np.ndarray:
    """``t`` without the rows that are no time (:data:`NOT_A_TIME_US`)."""
    t = np.asarray(t)
    return t[t != NOT_A_TIME_US]


def robust_t_at(t_us_of, n_events: int, i: int) -> int:
    """Event ``i``'s time for a bisection: if it is a corrupt one (:func:`implausible_times` on
    the rows around it), the time of the nearest sound row before it (after it, at the start).
    A sorted file's probes read as they are, so a seek lands where it did; one flipped time hit
    by a probe sent the search to the wrong half of the file."""
    lo, hi = max(0, i - CONTEXT_ROWS), min(n_events, i + CONTEXT_ROWS + 1)
    t = np.asarray(t_us_of(lo, hi))
    k = i - lo
    if t[k] == NOT_A_TIME_US:  # (a run of them wider than the rows read: a sector of 0xFF bytes)
        return _nearest_time(t_us_of, n_events, i)
    if not count_jumps(t, RESTART_BACK_US):
        return int(t[k])
    bad = t == NOT_A_TIME_US
    sound = np.flatnonzero(~bad)
    bad[sound[implausible_times(t[sound], share=1.0)]] = True
    if not bad[k]:
        return int(t[k])
    good = np.flatnonzero(~bad)
    near = good[good < k]
    near = near[-1:] if len(near) else good[good > k][:1]
    return int(t[near[0]]) if len(near) else int(t[k])


def _nearest_time(t_us_of, n_events: int, i: int, step: int = 4096) -> int:
    """The time of the nearest row before row ``i`` that is a time (after it, at the start),
    for :func:`robust_t_at`: a probe in a run of rows that are no time (:data:`NOT_A_TIME_US`,
    16 or more: a 4 KiB sector of 0xFF bytes is 256 NaN rows) read as INT64_MIN, and the
    bisection sent a seek to 0.3 s past the run (0.502 s). ``NOT_A_TIME_US`` when none is."""
    for forward in (False, True):
        a = i
        while (a < n_events) if forward else (a > 0):
            lo, hi = (a, min(n_events, a + step)) if forward else (max(0, a - step), a)
            t = np.asarray(t_us_of(lo, hi))
            good = np.flatnonzero(t != NOT_A_TIME_US)
            if len(good):
                return int(t[good[0] if forward else good[-1]])
            a = hi if forward else lo
    return NOT_A_TIME_US


#: rows read at a time, from a column file's end back, looking for its last event
#: (:func:`filled_rows`); grows 4x per read up to :data:`TAIL_CHUNK_MAX_ROWS`
TAIL_CHUNK_ROWS = 4096
TAIL_CHUNK_MAX_ROWS = 1 << 20


def _empty_rows(t, x, y, p, zeros: bool) -> tuple[np.ndarray, np.ndarray]:
    """(rows that hold no event, those of them whose t is NaN/inf) for :func:`filled_rows`: a
    float t that is no number, or (``zeros``) t, x, y and p all 0 (np.zeros preallocated)."""
    t = np.asarray(t)
    nan = ~np.isfinite(t) if t.dtype.kind == "f" else np.zeros(len(t), dtype=bool)
    if not zeros:
        return nan, nan
    with np.errstate(invalid="ignore"):
        zero = (t == 0) & (np.asarray(x) == 0) & (np.asarray(y) == 0) & (np.asarray(p) == 0)
    return nan | zero, nan


def _last_event_row(cols_of, n_rows: int, zeros: bool) -> tuple[int, int]:
    """(index of the last row that holds an event, -1 if none; NaN/inf-t rows after it)."""
    end, step, n_nan = n_rows, TAIL_CHUNK_ROWS, 0
    while end > 0:
        lo = max(0, end - step)
        empty, nan = _empty_rows(*cols_of(lo, end), zeros=zeros)
        filled = np.flatnonzero(~empty)
        if len(filled):
            k = int(filled[-1])
            return lo + k, n_nan + int(np.count_nonzero(nan[k + 1:]))
        n_nan += int(np.count_nonzero(nan))
        end, step = lo, min(4 * step, TAIL_CHUNK_MAX_ROWS)
    return -1, n_nan


def filled_rows(cols_of, n_rows: int, name) -> int:
    """Rows of a column file (.npy, .npz, HDF5) up to its last event, said in one warning where
    fewer: an array preallocated (np.full NaN, np.zeros) and saved before a logger filled it ends
    in rows whose t is NaN/inf or whose t, x, y, p are all 0. Before, such a file stopped at its
    tail's first batch (over 10 % no times: refused), or its zeros read as events at 0 µs.

    ``cols_of(i, j)``: the t, x, y, p columns of rows i..j as stored. All-zero rows count only
    after a last event with t > 0 (else they may be events at time 0); a tail of at most
    :data:`CONTEXT_ROWS` NaN rows is left to :class:`TimeGuard` (a changed byte: a corrupt time).
    A file with no event at all is not trimmed: the readers refuse it as before."""
    last, n_nan = _last_event_row(cols_of, n_rows, zeros=True)
    if last >= 0 and last < n_rows - 1 and not float(np.asarray(cols_of(last, last + 1)[0])[0]) > 0:
        last, n_nan = _last_event_row(cols_of, n_rows, zeros=False)  # (zeros may be events at 0)
    tail = n_rows - 1 - last
    return n_rows if last < 0 or not unfilled_said(name, tail, n_nan, last + 1) else last + 1


def unfilled_said(name, tail: int, n_nan: int, kept: int | None = None) -> bool:
    """Whether ``tail`` rows after a file's last event (``n_nan`` of them with t NaN/inf, the
    rest all 0) are an unfilled tail (:func:`filled_rows`), said in a warning if so; ``kept``:
    the rows before it, where known."""
    if not tail or n_nan == tail <= CONTEXT_ROWS:
        return False
    what = ("t NaN/inf" if n_nan == tail else "t, x, y, p all 0" if not n_nan
            else f"{n_nan:,} with t NaN/inf, {tail - n_nan:,} all 0")
    before = "" if kept is None else f" ({kept:,})"
    log.warning("%s: the last %s row(s) hold no events (%s): left out, the events before them%s "
                "read (an array saved before it was filled?)", name, f"{tail:,}", what, before)
    return True
