"""``.npy`` event arrays (plain reads through :class:`~.fileio.FileReader`, no memory map),
plus the column packer the other file sources share.

Accepted layouts:

* a structured array with our dtype, or with fields named ``t``/``ts``/``timestamp``/
  ``time``, ``x``/``xs``, ``y``/``ys``, ``p``/``ps``/``polarity``/``pol``/``on``;
* a plain ``N x 4`` array with columns ``t, x, y, p``.

Timestamps: integer ``t`` is µs; floating-point ``t`` is seconds (E2VID, tonic) and is
converted with ``round(t * 1e6)``, unless its first and last values are all whole numbers:
µs saved as floats, read as µs with a warning (as the text reader decides). Integer or
whole-number ``t`` whose first and last values are all >= 1e17 is Unix-epoch nanoseconds
(ROS bag exports; µs never get there): divided by 1000, with a warning. Polarity: anything > 0 is ON (covers 0/1, -1/+1 and
bool). Timestamps are passed through in file order, unsorted or with jumps as they are
(the slicer copes; ``evfocus info`` counts the steps back), except events whose times jump
away over 1 s and come back: changed bytes, left out and counted (:mod:`.corrupt_times`).
Seeking assumes sorted time. Width/height come from the ``width``/``height`` arguments, else
from the data (max + 1, a few events far beyond the rest set aside: :func:`plausible_max`),
and must be 1..16384. Big-endian and float16 columns are converted on read; a NaN/inf ``t``
or one beyond int64 µs is a corrupt time too, left out and counted (a batch with over 10 % of
them is refused: no event times); so is a row whose float x, y or p is NaN or inf, counted with
them (a finite float x/y, sub-pixel coordinates of undistorted events, is read as its pixel);
non-numeric columns raise :class:`InputError`.
"""

from __future__ import annotations

import datetime
import logging
import os
import threading
from pathlib import Path
from typing import ClassVar

import numba
import numpy as np

from ..errors import InputError, first_line
from ..events import EVENT_DTYPE
from .base import MAX_SENSOR_SIDE, EventSource, check_sensor_size
from ..core.slicing import RESTART_BACK_US
from .corrupt_times import NOT_A_TIME_US, TimeGuard, filled_rows, robust_t_at, rows_around, span_of
from .fileio import FileReader

log = logging.getLogger(__name__)

BATCH_EVENTS = 1 << 19
T_NAMES = ("t", "ts", "timestamp", "timestamps", "time", "t_us")
X_NAMES = ("x", "xs")
Y_NAMES = ("y", "ys")
P_NAMES = ("p", "ps", "polarity", "pol", "on", "polarities")


@numba.njit(nogil=True, cache=True)
def _pack_cols(t, x, y, p, out, width, height, jump_us):
    """Columns -> 13-byte EVENT_DTYPE records, dropping out-of-sensor events; (events kept,
    steps over ``jump_us`` either way between kept events' times: 0 in a sound batch, where
    :class:`~.corrupt_times.TimeGuard` has nothing to look at)."""
    m = 0
    jumps = 0
    prev = 0.0
    for i in range(t.shape[0]):
        xi = np.int64(x[i])
        yi = np.int64(y[i])
        if xi < 0 or yi < 0 or xi >= width or yi >= height:
            continue
        o = m * 13
        v = np.int64(t[i])
        if m and abs(float(v) - prev) > jump_us:  # (float: garbage times overflow an int64 difference)
            jumps += 1
        prev = float(v)
        for k in range(8):
            out[o + k] = v & 0xFF
            v >>= 8
        out[o + 8] = xi & 0xFF
        out[o + 9] = (xi >> 8) & 0xFF
        out[o + 10] = yi & 0xFF
        out[o + 11] = (yi >> 8) & 0xFF
        out[o + 12] = 1 if p[i] > 0 else 0
        m += 1
    return m, jumps


@numba.njit(nogil=True, cache=True)
def _check_events_in_place(b, n, width, height):
    """EVENT_DTYPE records (bytes ``b``) as :func:`_pack_cols` would pack them, in place:
    out-of-sensor ones dropped (the rest moved up), p made 0/1. Returns how many are kept."""
    m = 0
    for i in range(n):
        s = i * 13
        x = np.int64(b[s + 8]) | (np.int64(b[s + 9]) << 8)
        y = np.int64(b[s + 10]) | (np.int64(b[s + 11]) << 8)
        if x >= width or y >= height:
            continue
        d = m * 13
        if d != s:
            for k in range(12):
                b[d + k] = b[s + k]
        b[d + 12] = 1 if b[s + 12] > 0 else 0
        m += 1
    return m


#: int64 µs range as a float: larger values (and NaN/inf, whose ``abs`` never compares
#: below it) would wrap silently to INT64_MIN in the cast
_T_LIMIT = 2.0 ** 63


def check_column(dtype: np.dtype, what: str, name) -> None:
    """InputError unless a column holds plain numbers (``t``: no bool). A string or
    sub-array column would otherwise fail deep inside numba with a long traceback."""
    if dtype.kind not in ("iuf" if what == "t" else "iufb") or dtype.shape != ():
        raise InputError(f"{name}: the {what} column has unsupported type {dtype} "
                         f"(expected {'integer µs or float seconds' if what == 't' else 'numbers'})")


def timestamps_to_us(t, seconds: bool, name, ns: bool = False) -> np.ndarray:
    """A ``t`` column -> int64 µs (native byte order); float ``t`` is seconds when
    ``seconds`` (``round(t * 1e6)``), else µs; ``ns`` (see :func:`int_t_units`): ns, divided
    by 1000 rounding down (integers: exactly, in int64). NaN/inf and values beyond int64 µs
    (a changed byte; they would wrap to INT64_MIN) become :data:`~.corrupt_times.NOT_A_TIME_US`,
    which the reader's :class:`~.corrupt_times.TimeGuard` leaves out and counts."""
    t = np.asarray(t)
    check_column(t.dtype, "t", name)
    if t.dtype.kind == "f":
        v = t.astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # (1e300 s: inf, no time, below)
            if seconds:
                v *= 1e6
            if ns:
                v /= 1000
                np.floor(v, out=v)  # (as the integer division below)
            np.rint(v, out=v)
            ok = np.abs(v) < _T_LIMIT  # (False for NaN too)
        if not ok.all():
            v[~ok] = NOT_A_TIME_US
        return v.astype(np.int64)
    if t.dtype == np.uint64 and len(t) and int(t.max()) >= 1 << 63:
        beyond = t >= np.uint64(1 << 63)
        out = t.astype(np.int64) // 1000 if ns else t.astype(np.int64)
        out[beyond] = NOT_A_TIME_US
        return out
    if ns:
        return t.astype(np.int64) // 1000  # (floor: keeps the order of equal and of unsorted t)
    return t.astype(np.int64, copy=False)


#: rows at each end of a float ``t`` column checked by :func:`float_t_is_seconds`
UNIT_SAMPLE = 4096


#: at most one in this many sampled ``t`` corrupt rows: below :data:`EPOCH_NS_MIN` in an epoch-ns
#: column (at least one: :func:`sample_is_epoch_ns`), not whole in a µs one (:func:`mostly_whole`)
SAMPLE_CORRUPT_PER = 100
#: the smallest sampled ``t`` read as Unix-epoch nanoseconds: 1e17 ns is 1973-03-03, while 1e17 µs
#: is 3,000 years after 1970 (epoch µs today are ~1.7e15, epoch ns ~1.7e18)
EPOCH_NS_MIN = 10 ** 17


def _sample(t_col_of, n_events: int) -> np.ndarray:
    """The first and last :data:`UNIT_SAMPLE` values of a ``t`` column (``t_col_of(i, j)``: rows
    i..j as stored; fresh arrays, the two reads may share a buffer)."""
    k = min(n_events, UNIT_SAMPLE)
    return np.concatenate([np.array(t_col_of(0, k)), np.array(t_col_of(n_events - k, n_events))])


def sample_is_epoch_ns(t) -> bool:
    """Whether whole-number timestamps ``t`` (the head and tail of a column) are Unix-epoch ns:
    all of them >= :data:`EPOCH_NS_MIN` but one in :data:`SAMPLE_CORRUPT_PER` (at least one: a
    changed byte in the first or last rows made an epoch-ns file read as µs, 1000x too long; the
    row is then a corrupt time, left out). A sample is enough: a file holds one unit, and no µs
    recording reaches 1e17 (about the year 5100), so ends that do are ns whatever the middle holds;
    sorted files (the usual ones) have the middle between the ends anyway. Relative ns (from 0)
    cannot be told from µs, and stay µs (``evfocus info`` hints at them)."""
    t = np.asarray(t)
    below = int(np.count_nonzero(t < EPOCH_NS_MIN))
    return bool(len(t)) and below <= max(1, len(t) // SAMPLE_CORRUPT_PER) and below < len(t) / 2


def mostly_whole(t) -> bool:
    """Whether the sampled times ``t`` are whole numbers (µs) but one in :data:`SAMPLE_CORRUPT_PER`:
    a changed byte in the first or last rows of a float µs column (or a digit of a text file's
    turned into a point) made the whole file read as seconds, 1e6x too long."""
    t = np.asarray(t)
    return int(np.count_nonzero(t != np.round(t))) <= len(t) // SAMPLE_CORRUPT_PER


def warn_epoch_ns(name, t) -> None:
    """The one line that says a file's ``t`` was read as epoch ns (see :func:`sample_is_epoch_ns`)."""
    t = np.asarray(t)
    start = datetime.datetime.fromtimestamp(float(np.min(t[t >= EPOCH_NS_MIN])) / 1e9, datetime.timezone.utc)
    log.warning("%s: timestamps are Unix-epoch nanoseconds (from %s UTC): read as µs (divided by "
                "1000; save t in µs to avoid this)", name, start.strftime("%Y-%m-%d %H:%M:%S"))


#: the reader's line for :func:`hint_maybe_relative_ns` (``evfocus info`` holds it back: its own
#: ``units`` line says it, once)
RELATIVE_NS_HINT = ("%s: every timestamp sampled is a multiple of 1000 (%.0f .. %.0f): read as µs, %.3f s; "
                    "if they are nanoseconds, the recording is %.6f s (save t in µs)")


def hint_maybe_relative_ns(name, t) -> bool:
    """One line, where whole-number ``t`` read as µs (not epoch ns) may be nanoseconds from 0:
    the head and tail samples hold at least 3 different values, all multiples of 1000 (ns saved
    from a µs camera clock; a µs clock rarely ticks in whole ms). The two cannot be told apart
    for sure, so the file is still read as µs; before, nothing said it (``evfocus info`` only
    past an hour), and a 0.13 s recording in ns played for 130 s. True if said."""
    t = np.asarray(t)
    if len(np.unique(t)) < 3 or np.any(np.mod(t, 1000) != 0):
        return False
    lo, hi = float(t.min()), float(t.max())
    log.warning(RELATIVE_NS_HINT, name, lo, hi, (hi - lo) / 1e6, (hi - lo) / 1e9)
    return True


def int_t_units(t_col_of, n_events: int, name) -> tuple[bool, bool]:
    """(epoch ns, maybe ns from 0) of an integer ``t`` column: whether it holds Unix-epoch
    nanoseconds (ROS bag exports, pandas ``datetime64[ns]``), decided from its first and last
    :data:`UNIT_SAMPLE` values (see :func:`sample_is_epoch_ns`), said in one warning (read as µs,
    they were 1000x too long); else whether :func:`hint_maybe_relative_ns` said they may be
    nanoseconds from 0 (kept by the reader as ``t_maybe_ns``: ``evfocus info`` says it once)."""
    t = _sample(t_col_of, n_events)
    if not sample_is_epoch_ns(t):
        return False, hint_maybe_relative_ns(name, t)
    warn_epoch_ns(name, t)
    return True, False


def float_t_unit(t_col_of, n_events: int, name) -> str:
    """The unit of a float ``t`` column: ``"s"``, ``"us"`` or ``"ns"`` (:func:`float_t_is_seconds`;
    whole numbers that are all >= :data:`EPOCH_NS_MIN` are epoch ns, read to within 1 µs: a
    double holds such a time to 256 ns)."""
    t = _sample(t_col_of, n_events).astype(np.float64)
    t = t[np.isfinite(t)]  # (a NaN/inf row is a corrupt one, left out: it made µs read as seconds)
    if mostly_whole(t) and sample_is_epoch_ns(t):
        warn_epoch_ns(name, t)
        return "ns"
    return "s" if float_t_is_seconds(None, n_events, name, sample=t) else "us"


def t_column_units(t_col_of, n_events: int, name, is_float: bool) -> tuple[bool, bool, bool]:
    """(seconds, epoch ns, maybe ns from 0) of a ``t`` column, by the rules the column readers
    (``.npy``, ``.npz``, HDF5) share: :func:`float_t_unit` for floats, :func:`int_t_units` else."""
    if is_float:
        unit = float_t_unit(t_col_of, n_events, name)
        return unit == "s", unit == "ns", False
    ns, maybe_ns = int_t_units(t_col_of, n_events, name)
    return False, ns, maybe_ns


def float_t_is_seconds(t_col_of, n_events: int, name, sample: np.ndarray | None = None) -> bool:
    """The unit of a float ``t`` column, decided as the text reader does: seconds, unless its
    first and last :data:`UNIT_SAMPLE` values are all whole numbers (:func:`mostly_whole`) with at
    least 3 different values, which are µs (``np.save(f, np.loadtxt(us_file))`` gives such floats; read as
    seconds, 10 ms between events became 10,000 s, and the same rows as text read as µs).
    Said in a warning, as a guess. ``t_col_of(i, j)`` gives rows i..j as stored."""
    t = (_sample(t_col_of, n_events) if sample is None else sample).astype(np.float64)
    t = t[np.isfinite(t)]  # (NaN/inf rows are corrupt ones, left out: not a unit's sign)
    if not mostly_whole(t) or len(np.unique(t)) < 3:
        return True
    log.warning("%s: float timestamps are all whole numbers (%.0f .. %.0f): read as µs, not "
                "seconds (save t as integers for µs)", name, t.min(), t.max())
    return False


@numba.njit(nogil=True, cache=True)
def _count_nonfinite(a):
    """Values of float column ``a`` that are NaN or inf: one pass, no temporaries, so a sound
    float column costs the reads little."""
    n = 0
    for i in range(a.shape[0]):
        v = a[i]
        if v - v != 0:  # (NaN and inf: v - v is NaN)
            n += 1
    return n


def nonfinite_rows(x, y, p) -> np.ndarray | None:
    """Mask of the rows whose float x, y or p is NaN or inf, None if none (integer columns:
    never): a changed byte, as a time that is no number is. Such a row is left out as a corrupt
    one (its t read as :data:`~.corrupt_times.NOT_A_TIME_US`, counted by the reader's
    :class:`~.corrupt_times.TimeGuard`); before, one refused the whole file. A finite value that
    is no whole number is no sign of damage: undistorted or rectified recordings store sub-pixel
    x/y, read as their pixel (leaving them out refused such files: "invalid sensor size 0x0")."""
    bad = None
    for a in (x, y, p):
        a = np.asarray(a)
        if a.dtype.kind != "f":
            continue
        if a.dtype.isnative and a.dtype.itemsize >= 4 and not _count_nonfinite(a):
            continue
        m = ~np.isfinite(a)
        if m.any():
            bad = m if bad is None else bad | m
    return bad


def without_nonfinite(t_us: np.ndarray, cols) -> np.ndarray:
    """``t_us`` (rows' times in µs) with those of rows whose x, y or p (``cols``) is NaN or
    inf (:func:`nonfinite_rows`) made :data:`~.corrupt_times.NOT_A_TIME_US`: a time range or a
    seek leaves them out as the reads do."""
    bad = nonfinite_rows(*cols)
    if bad is None:
        return t_us
    return np.where(bad, NOT_A_TIME_US, t_us)


def _coord(a, what: str, name, bad: np.ndarray | None = None) -> np.ndarray:
    """An x/y/p column as a native-order integer array numba can take (float16 and
    big-endian columns cannot be typed); ``bad`` rows (:func:`nonfinite_rows`, left out by the
    caller) read as 0, as a rounded NaN would be an arbitrary pixel."""
    a = np.asarray(a)
    check_column(a.dtype, what, name)
    if a.dtype.kind == "f":
        if bad is not None:
            a = np.where(bad, 0, a)
        if what == "p":
            return (a > 0).view(np.uint8)
        # clip (to a bound float16 can hold): no cast warning for 1e30; still off-sensor
        return np.clip(a, -1, MAX_SENSOR_SIDE).astype(np.int64)
    if a.dtype.kind == "b":
        return a.view(np.uint8)
    return a.astype(a.dtype.newbyteorder("="), copy=False)


class DropCounter:
    """Out-of-sensor events a reader dropped: the first batch's are logged, later ones summed
    and logged once at the end of the stream (:meth:`flush`), as the AEDAT4 reader does. A
    wrong size in a header would otherwise log a line per batch, hundreds on a large file.
    Thread-safe: HDF5 batches are packed on prefetch threads. ``quiet``: only count (scans
    for a time range or a seek index, whose events the reads log again). ``said``: drops a
    warning has said already (the far x/y values set aside as the size was inferred,
    :func:`columns_max`): only those beyond them are said (the same events were said twice)."""

    def __init__(self, name, width: int, height: int, quiet: bool = False, said: int = 0):
        self._name, self._size, self._quiet = name, f"{width}x{height}", quiet
        self.total = 0
        self._said = self._logged = said
        self._summed = False
        self._lock = threading.Lock()

    def add(self, n: int) -> None:
        if n <= 0:
            return
        with self._lock:
            first = self._logged == self._said and not self._summed  # (nothing said here yet)
            self.total += n
            if first and self.total > self._said and not self._quiet:
                log.warning("%s: dropped %d event(s) outside the %s sensor (later ones are summed "
                            "at the end)", self._name, self.total - self._said, self._size)
                self._logged = self.total

    def flush(self) -> None:
        """Log the drops not logged yet, at the stream's first end only: a looping replay reads
        the same events again, and said "dropped N more" at the end of every pass."""
        with self._lock:
            if self.total > self._logged and not self._quiet and not self._summed:
                log.warning("%s: dropped %d more event(s) outside the %s sensor", self._name,
                            self.total - self._logged, self._size)
                self._logged = self.total
            self._summed = True


#: polarity values a reader takes without a word: 0/1, -1/1 (evlib, Prophesee HDF5) and 255 (a
#: uint8 column holding -1, as ``np.int8(-1).astype(np.uint8)`` makes it; read as ON, as any p > 0)
POLARITY_VALUES = (-1, 0, 1, 255)
_polarity_said: set[str] = set()  # (files whose odd polarity values were said: once each)


@numba.njit(nogil=True, cache=True)
def _first_odd_polarity(p):  # pragma: no cover - compiled
    """Index of the first value of ``p`` not in :data:`POLARITY_VALUES` (NaN aside: a corrupt
    row, left out elsewhere), or -1; one pass, no temporaries (a text batch's float64 p)."""
    step = 4096  # (branch-free blocks: 0/1 at random mispredicted an 'or' chain, 8 ns a value)
    for a in range(0, p.shape[0], step):
        b = min(a + step, p.shape[0])
        odd = 0
        for i in range(a, b):
            v = p[i]
            odd += (v == v) & (v != 0) & (v != 1) & (v != -1) & (v != 255)
        if odd:
            for i in range(a, b):
                v = p[i]
                if v == v and v != 0 and v != 1 and v != -1 and v != 255:
                    return i
    return -1


def check_polarity(p, name) -> None:
    """One warning per file where a polarity column holds values other than
    :data:`POLARITY_VALUES` (``2``, ``0.5``, a y column read as p): they are still read as
    ON where > 0 (as before), but no longer in silence, since they mostly mean the columns
    are not ``t x y p`` or the file is damaged. ~0.5 ms per million values."""
    p = np.asarray(p)
    if not p.size or p.dtype.kind not in "iuf" or str(name) in _polarity_said:
        return
    if p.dtype.kind == "u" and p.dtype.itemsize == 1 and p.max() <= 1:
        return
    flat = np.ascontiguousarray(p.reshape(-1)).astype(p.dtype.newbyteorder("="), copy=False)
    if flat.dtype == np.float16:
        flat = flat.astype(np.float32)
    first = _first_odd_polarity(flat)
    if first < 0:
        return
    _polarity_said.add(str(name))
    rest = flat[first:]
    odd = rest[~np.isin(rest, POLARITY_VALUES) & ~np.isnan(rest.astype(np.float64))]
    vals = np.unique(odd)
    log.warning("%s: polarity holds %d value(s) other than 0, 1, -1 and 255 (e.g. %s): read as ON where > 0, "
                "else OFF; check that the columns are t x y p", name, len(vals),
                ", ".join(f"{v:g}" for v in vals[:3]))


def columns_to_events(t, x, y, p, width: int, height: int, t_is_seconds: bool = False,
                      name: str = "", drops: DropCounter | None = None,
                      contiguous: bool = True, t_is_ns: bool = False, times: TimeGuard | None = None,
                      span=(None, None)) -> np.ndarray:
    """Pack columns into EVENT_DTYPE in one pass, dropping out-of-sensor events (counted in
    ``drops``, else logged); rows whose t is no time (NaN/inf, beyond int64 µs) or whose x/y/p is
    NaN/inf are left out by ``times`` as corrupt (strings raise InputError).
    ``t_is_ns``: t is epoch ns (:func:`int_t_units`), read as µs. ``times``: leaves out (and
    counts) events whose times no camera wrote, ``span`` saying where the rows are in the file.
    ``contiguous=False``: strided native columns (views into rows read from a file) go to the
    packer as they are, which reads each row once instead of copying every column first."""
    fix = np.ascontiguousarray if contiguous else np.asarray
    t = fix(timestamps_to_us(t, t_is_seconds, name, ns=t_is_ns))
    bad = nonfinite_rows(x, y, p)
    if bad is not None:  # (left out with the times that are no time)
        t = np.where(bad, NOT_A_TIME_US, t)
    check_polarity(p if bad is None else np.asarray(p)[~bad], name)
    x, y, p = (fix(_coord(a, k, name, bad)) for a, k in ((x, "x"), (y, "y"), (p, "p")))
    n = t.shape[0]
    out = np.empty(n, dtype=EVENT_DTYPE)
    m, jumps = _pack_cols(t, x, y, p, out.view(np.uint8), width, height, RESTART_BACK_US)
    if m < n:
        if drops is not None:
            drops.add(n - m)
        else:
            log.warning("%s: dropped %d event(s) outside the %dx%d sensor", name, n - m, width, height)
        out = out[:m]
    return out if times is None else times.filter(out, *span, jumps=jumps)


def scan_time_range(n_events: int, t_us_of, batch: int = BATCH_EVENTS,
                    times: TimeGuard | None = None) -> tuple[int, int] | None:
    """(min t, max t) of a t column read ``batch`` rows at a time (``t_us_of(i, j)`` gives
    rows i..j in µs): files are not always sorted, and a whole column may not fit in memory.
    ``times``: the reader's guard, whose left-out times (:func:`~.corrupt_times.implausible_times`)
    do not count: one flipped byte made a 2 s recording 2,000 years long."""
    lo = hi = None
    for i in range(0, n_events, batch):
        j = min(n_events, i + batch)
        t = t_us_of(i, j)
        if not len(t):
            continue
        a, b, jumps = span_of(t, RESTART_BACK_US)
        bad = None if times is None else times.bad(t, i, j, jumps)
        if bad is not None:
            t = t[~bad]
            if not len(t):
                continue
            a, b = int(t.min()), int(t.max())
        lo = a if lo is None else min(lo, a)
        hi = b if hi is None else max(hi, b)
    return (lo, hi) if lo is not None else None


#: at most this many events (or one in :data:`STRAY_PER`; never over 1 %) far beyond the rest
#: of an x or y column are taken for corrupt values, not the sensor's edge, when the size is
#: inferred from the data (a file of a few events keeps its max + 1)
STRAY_EVENTS = 16
STRAY_PER = 10_000


@numba.njit(nogil=True, cache=True)
def _count_values(c, counts):
    """Add integer column ``c``'s values to the histogram ``counts`` (negative ones left out,
    those beyond it counted in its last bin); the largest value (-1: none)."""
    top = counts.shape[0] - 1
    hi = -1
    for i in range(c.shape[0]):
        v = np.int64(c[i])
        if v < 0:
            continue
        if v > hi:
            hi = v
        counts[min(v, top)] += 1
    return hi


def plausible_max(counts: np.ndarray, n_events: int) -> int:
    """The largest value of a column (``counts``: its histogram, values >= 0) once values that a
    few events hold far beyond the rest are set aside: at most :data:`STRAY_EVENTS` (or one in
    :data:`STRAY_PER`) events above a gap to at least twice the value below it. One x changed
    by a flipped byte (100 -> 1124) made a 346-wide sensor 1125 wide (frames mostly empty), or
    (-> 40000) refused the file as 40001 wide. -1: no value."""
    used = np.flatnonzero(counts)
    if not len(used):
        return -1
    few = min(max(STRAY_EVENTS, n_events // STRAY_PER), n_events // 100)
    above = np.cumsum(counts[used][::-1])[::-1]  # events at or above each used value
    top = len(used) - 1
    for i in range(len(used) - 1, 0, -1):
        if above[i] > few:
            break
        if used[i] >= 2 * (used[i - 1] + 1):
            top = i - 1
    return int(used[top])


def columns_max(cols_of, n_events: int, whats: str, name, batch: int = BATCH_EVENTS,
                strays: list[int] | None = None) -> list[int]:
    """Max of each column that ``cols_of(i, j)`` gives (a sequence, one per letter of ``whats``),
    read ``batch`` rows at a time in one pass, to infer the sensor size: interleaved columns
    (rows of a structured array) are read once, not once per column. Values a few events hold
    far beyond the rest are corrupt ones (:func:`plausible_max`), said in one warning (the reads
    drop those events; ``strays`` gets each column's count of them, for :class:`DropCounter`'s
    ``said``). NaN/inf values are corrupt rows, which the reads leave out."""
    # (values from MAX_SENSOR_SIDE on share the last bin: no sensor is that wide)
    counts = [np.zeros(MAX_SENSOR_SIDE + 1, np.int64) for _ in whats]
    tops = [-1] * len(whats)
    for i in range(0, n_events, batch):
        for k, c in enumerate(cols_of(i, min(n_events, i + batch))):
            c = np.asarray(c)
            if c.dtype.kind == "f":
                if not c.dtype.isnative or c.dtype.itemsize < 4 or _count_nonfinite(c):
                    c = c[np.isfinite(c)]  # (NaN/inf rows: corrupt, left out by the reads)
                c = np.clip(c, -1, MAX_SENSOR_SIDE + 1).astype(np.int64)  # (a bound float16 holds)
            elif not c.dtype.isnative or c.dtype.kind not in "iu":
                c = c.astype(np.int64)  # (types numba takes: big-endian, bool)
            tops[k] = max(tops[k], int(_count_values(c, counts[k])))
    hi = []
    for k, what in enumerate(whats):
        top = tops[k]
        m = plausible_max(counts[k], n_events)
        if m == MAX_SENSOR_SIDE:  # (no strays: the max, as before; too wide, check_sensor_size says so)
            m = top
        if m < top:
            n_far = int(counts[k][m + 1:].sum())
            log.warning("%s: %d event(s) have %s values far beyond the others' (up to %d, the others "
                        "<= %d: corrupt data?): sensor %s inferred from the others; those events are "
                        "dropped", name, n_far, what, top, m, "width" if what == "x" else "height")
            if strays is not None:
                strays.append(n_far)
        hi.append(m)
    return hi


def column_max(col_of, n_events: int, what: str, name, batch: int = BATCH_EVENTS,
               strays: list[int] | None = None) -> int:
    """Max of one x/y column read ``batch`` rows at a time (``col_of(i, j)``), as :func:`columns_max`."""
    return columns_max(lambda i, j: (col_of(i, j),), n_events, what, name, batch, strays)[0]


def first_at_or_after(n_events: int, t_us_of, t_us: int) -> int:
    """Index of the first event with ``t >= t_us`` by bisection, ``t_us_of(i, j)`` giving rows
    i..j's times in µs (a few rows read per step, no copy of the t column; assumes sorted time).
    A probe that hits a corrupt time reads its sound neighbour's (:func:`~.corrupt_times.robust_t_at`)."""
    lo, hi = 0, n_events
    while lo < hi:
        mid = (lo + hi) // 2
        if robust_t_at(t_us_of, n_events, mid) < t_us:
            lo = mid + 1
        else:
            hi = mid
    return lo


def read_npy_header(fh) -> tuple[tuple[int, ...], bool, np.dtype]:
    """``(shape, fortran_order, dtype)`` of the ``.npy`` array at ``fh``'s position, which is
    left where its data begins (a file or a stream: an ``.npz`` member). Any fault in the
    header is a ValueError saying why (corrupt headers raise ValueError, SyntaxError,
    TokenError...). Arrays of Python objects are refused here, before a byte of data is
    read: loading them would unpickle, which can run code."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(fh)
        elif version in ((2, 0), (3, 0)):  # 3.0 only allows UTF-8 names: ours are ASCII
            shape, fortran, dtype = fmt.read_array_header_2_0(fh)
        else:
            raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]}")
    except Exception as exc:
        raise ValueError(first_line(exc)) from None
    if dtype.hasobject:
        raise ValueError("it holds Python objects, which are not read: pickle could run code")
    return shape, bool(fortran), dtype


def event_fields(shape: tuple[int, ...], dtype: np.dtype, name) -> list[str] | None:
    """The t, x, y, p field names of a 1-D structured event array (any of :data:`T_NAMES`,
    :data:`X_NAMES`, ...), or None for a plain ``N x 4`` (t, x, y, p) number array; anything
    else raises InputError naming ``name``. The columns' types are checked too."""
    if dtype.names:
        cols = [_pick(dtype.names, c) for c in (T_NAMES, X_NAMES, Y_NAMES, P_NAMES)]
        if None in cols or len(shape) != 1:
            raise InputError(f"{name}: structured array needs 1-D fields t, x, y, p "
                             f"(has {', '.join(dtype.names)})")
        for c, what in zip(cols, "txyp"):
            check_column(dtype[c], what, name)
        return cols
    if len(shape) == 2 and shape[1] == 4 and dtype.kind in "iuf":
        return None
    raise InputError(f"{name}: expected a structured event array or an N x 4 "
                     f"(t, x, y, p) array, got {dtype} {shape}")


def _pick(names, candidates):
    low = {n.lower(): n for n in names}
    for c in candidates:
        if c in low:
            return low[c]
    return None


class ColumnReaderStats:
    """The ``stats`` of the column readers (``.npy``, ``.npz``, HDF5), kept in one place so that
    ``evfocus info`` gets the same keys from each: a reader sets ``_drops`` (a
    :class:`DropCounter`), ``_times`` (a :class:`~.corrupt_times.TimeGuard`) and
    ``unfilled_rows`` (a preallocated array's rows after its last event: :func:`~.corrupt_times.filled_rows`)."""

    _drops: DropCounter
    _times: TimeGuard
    unfilled_rows: int

    @property
    def stats(self) -> dict[str, int]:
        """Reader counters so far (``evfocus info`` shows them): events outside the sensor;
        ``corrupt_times``, events left out for times no camera wrote (:class:`~.corrupt_times.TimeGuard`)."""
        return {"dropped": self._drops.total, "corrupt_times": self._times.total,
                "unfilled_rows": self.unfilled_rows}


class NpyFileSource(ColumnReaderStats, EventSource):
    """Events stored in a NumPy ``.npy`` file (see module docstring), read a batch at a time.

    Plain positioned reads into a reused buffer, not ``np.load(mmap_mode="r")``: a mapped
    file that shrinks under the reader kills the process with SIGBUS (see :class:`FileReader`);
    a read that comes up short raises :class:`InputError` after the batches already returned.

    Parameters:
        path: the ``.npy`` file.
        width, height: sensor size (default: max x + 1, max y + 1 of the data).

    Example::

        np.save("ev.npy", events)          # EVENT_DTYPE, or Nx4 (t, x, y, p)
        src = NpyFileSource("ev.npy", width=346, height=260)
    """

    extensions: ClassVar[tuple[str, ...]] = (".npy",)
    format = "npy"

    @classmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        return head.startswith(b"\x93NUMPY")

    def __init__(self, path: str | Path, width: int | None = None, height: int | None = None):
        self.path = Path(path)
        self._file: FileReader | None = None
        self.n_events = self._i = 0
        try:
            self._fh = open(self.path, "rb")
        except OSError as exc:
            raise InputError(f"{self.path}: not a readable .npy event array ({exc.strerror})") from None
        try:
            self._init(width, height)
        except BaseException:
            self.close()
            raise

    def _init(self, width: int | None, height: int | None) -> None:
        try:
            shape, fortran, dtype = read_npy_header(self._fh)
        except ValueError as exc:
            raise InputError(f"{self.path}: not a readable .npy event array ({exc})") from None
        self._data_off = self._fh.tell()
        nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
        size = os.fstat(self._fh.fileno()).st_size
        if self._data_off + nbytes > size:
            raise InputError(f"{self.path}: not a readable .npy event array (truncated: its header "
                             f"announces {nbytes:,} bytes of data, the file holds "
                             f"{max(0, size - self._data_off):,})")
        self._file = FileReader(self._fh, self.path)
        self._dtype = dtype
        self._fields: list[str] | None = event_fields(shape, dtype, self.path)
        if self._fields:
            self._fortran = False
            self._row_bytes = dtype.itemsize
            self._seconds = dtype[self._fields[0]].kind == "f"
        else:
            self._fortran = fortran  # column-major: each column is contiguous
            self._row_bytes = 4 * dtype.itemsize
            self._seconds = dtype.kind == "f"
        self.n_events = self._n_rows = int(shape[0])  # (rows in the file: a column-major layout's stride)
        self._float_xyp = any(dtype[f].kind == "f" for f in self._fields[1:]) if self._fields else dtype.kind == "f"
        if self.n_events == 0:
            raise InputError(f"{self.path}: contains no events")
        self.unfilled_rows = self._n_rows - filled_rows(self._cols_of, self._n_rows, self.path)
        self.n_events -= self.unfilled_rows
        self._buf: np.ndarray | None = None  # read()'s batch buffer, reused
        where = "given"
        self._strays: list[int] = []  # (far x/y values set aside, said by columns_max)
        if width is None or height is None:
            where = "inferred from the data (max x/y + 1)"
            max_x, max_y = self._max_xy()
            width = max_x + 1 if width is None else width
            height = max_y + 1 if height is None else height
        self.width, self.height = check_sensor_size(self.path, width, height, where)
        self.size_inferred = where.startswith("inferred")
        self.size_strays = sum(self._strays)
        t_kind = (dtype[self._fields[0]] if self._fields else dtype).kind
        t_of = lambda i, j: self._col(0, i, j)  # noqa: E731 (fresh buffers: two reads at once)
        self._seconds, self._ns, self._maybe_ns = t_column_units(t_of, self.n_events, self.path, t_kind == "f")
        self.sensor = "unknown"
        self._drops = DropCounter(self.path, self.width, self.height, said=sum(self._strays))
        self._times = TimeGuard(self.path, rows_around(self._t_us, self.n_events))

    # --- reading --------------------------------------------------------------------
    @staticmethod
    def _scratch(buf: np.ndarray | None, nbytes: int) -> np.ndarray:
        """``buf`` if it holds ``nbytes``, else a new one: a fresh buffer per batch would cost
        a page fault per page on first touch (slow on VMs)."""
        return buf if buf is not None and len(buf) >= nbytes else np.empty(nbytes, np.uint8)

    def _rows(self, i0: int, i1: int, buf: np.ndarray | None = None) -> np.ndarray:
        """Rows ``i0..i1`` as stored (the N x 4 layout as an (n, 4) array), read into ``buf``
        (a uint8 array of at least ``(i1 - i0) * row bytes``; None: a fresh one)."""
        n, isz = i1 - i0, self._dtype.itemsize
        dst = (np.empty(n * self._row_bytes, np.uint8) if buf is None else buf)[:n * self._row_bytes]
        if self._fortran:
            for k in range(4):
                self._file.readinto(dst[k * n * isz:(k + 1) * n * isz],
                                    self._data_off + (k * self._n_rows + i0) * isz)
            return dst.view(self._dtype).reshape(4, n).T
        self._file.readinto(dst, self._data_off + i0 * self._row_bytes)
        rows = dst.view(self._dtype)
        return rows if self._fields else rows.reshape(n, 4)

    def _columns(self, rows: np.ndarray) -> list[np.ndarray]:
        """The t, x, y, p columns (views) of :meth:`_rows`' result."""
        if self._fields:
            return [rows[f] for f in self._fields]
        return [rows[:, k] for k in range(4)]

    def _col(self, k: int, i0: int, i1: int, buf: np.ndarray | None = None) -> np.ndarray:
        """Column ``k`` (0..3 = t, x, y, p) of rows ``i0..i1`` as stored; only that column is
        read when columns are contiguous (column-major N x 4)."""
        if self._fortran:
            isz = self._dtype.itemsize
            dst = (np.empty((i1 - i0) * isz, np.uint8) if buf is None else buf)[:(i1 - i0) * isz]
            self._file.readinto(dst, self._data_off + (k * self._n_rows + i0) * isz)
            return dst.view(self._dtype)
        return self._columns(self._rows(i0, i1, buf))[k]

    def _cols_of(self, i0: int, i1: int) -> list[np.ndarray]:
        """The t, x, y, p columns of rows ``i0..i1`` as stored (fresh arrays)."""
        if self._fortran:
            return [self._col(k, i0, i1) for k in range(4)]
        return self._columns(self._rows(i0, i1))

    def _in_batches(self, fn):
        """``(i, j) -> fn(i, j, buf)`` for a pass in batches, all read into one reused buffer
        (each result is valid until the next call)."""
        buf = None

        def get(i0: int, i1: int) -> np.ndarray:
            nonlocal buf
            buf = self._scratch(buf, (i1 - i0) * self._row_bytes)
            return fn(i0, i1, buf)
        return get

    def _max_xy(self) -> tuple[int, int]:
        """(max x, max y) over the file, to infer the sensor size: interleaved rows in one
        pass (a pass per column would read the file twice), contiguous columns one by one."""
        if self._fortran:
            return tuple(column_max(self._in_batches(lambda i, j, buf, k=k: self._col(k, i, j, buf)),
                                    self.n_events, "xy"[k - 1], self.path, strays=self._strays) for k in (1, 2))
        rows = self._in_batches(self._rows)
        return tuple(columns_max(lambda i, j: self._columns(rows(i, j))[1:3], self.n_events, "xy",
                                 self.path, BATCH_EVENTS, self._strays))

    def _t_us(self, i0: int, i1: int, buf: np.ndarray | None = None) -> np.ndarray:
        """Rows ``i0..i1``'s times in µs, those of rows a read leaves out for a float x/y/p that
        is NaN/inf read as no time (:func:`without_nonfinite`)."""
        if not self._float_xyp:
            return timestamps_to_us(self._col(0, i0, i1, buf), self._seconds, self.path, ns=self._ns)
        t, x, y, p = self._cols_of(i0, i1) if self._fortran else self._columns(self._rows(i0, i1, buf))
        return without_nonfinite(timestamps_to_us(t, self._seconds, self.path, ns=self._ns), (x, y, p))

    def read(self) -> np.ndarray | None:
        if self._file is None:
            return None
        if self._i >= self.n_events:
            self._drops.flush()
            self._times.flush()
            return None
        i0, i1 = self._i, min(self.n_events, self._i + BATCH_EVENTS)
        if self._dtype == EVENT_DTYPE:  # our own layout: read straight into the batch
            ev = np.empty(i1 - i0, EVENT_DTYPE)
            self._file.readinto(ev, self._data_off + i0 * self._row_bytes)
            self._i = i1
            check_polarity(ev["p"], str(self.path))
            m = _check_events_in_place(ev.view(np.uint8), len(ev), self.width, self.height)
            if m < len(ev):
                self._drops.add(len(ev) - m)
                ev = ev[:m]
            if self._ns:
                ev["t"] //= 1000
            return self._times.filter(ev, i0, i1)
        self._buf = self._scratch(self._buf, min(self.n_events, BATCH_EVENTS) * self._row_bytes)
        t, x, y, p = self._columns(self._rows(i0, i1, self._buf))
        self._i = i1
        # (the packed copy does not point into the reused buffer)
        return columns_to_events(timestamps_to_us(t, self._seconds, self.path, ns=self._ns), x, y, p,
                                 self.width, self.height, name=str(self.path), drops=self._drops,
                                 contiguous=False, times=self._times, span=(i0, i1))

    def seek(self, t_us: int) -> None:
        """Continue from the first event with ``t >= t_us`` (bisection reading a few rows per
        step, no full copy of ``t``; assumes sorted time)."""
        self._i = first_at_or_after(self.n_events, self._t_us, t_us)

    def time_range_us(self) -> tuple[int, int] | None:
        """(min t, max t) over the file, scanned in batches (bounded memory). The
        result is kept: the viewer and the loop ask again and again."""
        if not hasattr(self, "_range_us"):
            self._range_us = scan_time_range(
                self.n_events, self._in_batches(lambda i, j, buf: self._t_us(i, j, buf)), times=self._times)
        return self._range_us

    def close(self) -> None:
        self._file = None
        self._buf = None
        self._i = self.n_events
        if getattr(self, "_fh", None) is not None:
            self._fh.close()
            self._fh = None
