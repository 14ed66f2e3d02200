"""``.npz`` archives of events (``numpy.savez`` / ``numpy.savez_compressed``).

Accepted layouts (keys are the names given to ``np.savez``; matched without case):

* one 1-D array per column, named as the fields of a structured ``.npy``: ``t``/``ts``/
  ``timestamp``/``time``, ``x``/``xs``, ``y``/``ys``, ``p``/``ps``/``polarity``/``pol``/``on``
  (``np.savez(f, x=x, y=y, t=t, p=p)``), all of one length;
* else one array holding all the events, as a ``.npy`` file would: a structured array with
  those fields, or an ``N x 4`` (t, x, y, p) number array. It is found under ``events``,
  ``arr_0`` (``np.savez(f, ev)``), ``evs``, ``event`` or ``data`` first, else it must be the
  only array in the archive that has such a layout.

Timestamps, polarity and their checks are the ``.npy`` reader's (:mod:`.npy_file`): integer
``t`` is µs, float ``t`` seconds unless its first and last values are all whole numbers (µs
saved as floats, read as µs with a warning); ``p > 0`` is ON. The sensor size is taken from
``width`` and ``height`` keys, else from a ``sensor_size`` or ``resolution`` key holding
``(width, height)`` (tonic's order; a third entry, tonic's polarity count, is ignored), else
inferred as max x/y + 1 and reported as such (``size_inferred``), as the other readers do.

How members are read: not with ``np.load``, whose lazy ``NpzFile`` reads (and decompresses)
a whole member again each time a key is looked up, and would unpickle object arrays if
``allow_pickle`` were ever set. Each member's ``.npy`` header is parsed from the zip
directly; object arrays are refused from their header, before any data is read.

* A stored member (``np.savez``) lies whole and uncompressed in the file, so it is read
  as an ``.npy`` file is: in batches by positioned reads (:class:`~.fileio.FileReader`),
  memory bounded by the batch. It is not memory-mapped, though it could be: a mapped file
  cut under the reader kills the process with SIGBUS, a positioned read says so in a line.
* A compressed member (``np.savez_compressed``) cannot be read from an offset (deflate has
  no index: every seek would decompress from the start), so it is decompressed once, at
  opening, into memory: the array's own size (``np.load`` would need as much), and never
  again for that open source. Save large recordings with ``np.savez`` for bounded memory.

Other keys (frames, IMU, metadata) are ignored. Bad archives (not a zip, cut short, missing
or mismatched columns, pickled arrays, encrypted members) raise :class:`InputError`.
"""

from __future__ import annotations

import logging
import os
import struct
import zipfile
import zlib
from pathlib import Path
from typing import ClassVar

import numpy as np

from ..errors import InputError, first_line
from .base import EventSource, check_sensor_size
from .corrupt_times import TimeGuard, filled_rows, rows_around
from .fileio import FileReader
from .npy_file import (P_NAMES, T_NAMES, X_NAMES, Y_NAMES, ColumnReaderStats, DropCounter, _pick, check_column,
                       columns_max, columns_to_events, event_fields, first_at_or_after, read_npy_header,
                       scan_time_range, t_column_units, timestamps_to_us, without_nonfinite)

log = logging.getLogger(__name__)

BATCH_EVENTS = 1 << 19
#: keys that hold all events in one array, looked at first (``arr_0``: ``np.savez(f, events)``)
EVENT_KEYS = ("events", "arr_0", "evs", "event", "data")
#: keys holding ``(width, height[, ...])``, after ``width``/``height`` ones
SIZE_KEYS = ("sensor_size", "resolution")
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # zip local file header: signature ... name and extra lengths
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
               NotImplementedError, RuntimeError)
_CHUNK_BYTES = 1 << 24


class _FileRows:
    """Rows of a stored member, read by position (:class:`FileReader`: thread-safe)."""

    def __init__(self, file: FileReader, data_off: int, n: int, dtype: np.dtype, width: int | None):
        self._file, self._off, self._n, self._dtype, self._width = file, data_off, n, dtype, width
        self._row_bytes = dtype.itemsize * (width or 1)

    def rows(self, i0: int, i1: int, scratch: dict | None = None) -> np.ndarray:
        """Rows ``i0..i1``. ``scratch``: a dict the caller keeps for one pass on one thread (the
        viewer scans the time range on a thread of its own while the reader reads), which
        holds a reused buffer and the last range read, so the t, x, y and p of one batch of a
        structured array cost one read; the result is then valid until the next call with it.
        None: a new array."""
        got = None if scratch is None else scratch.pop(self, None)
        if got is not None and got[0] == (i0, i1):
            scratch[self] = got
            return self._view(got[1], i1 - i0)
        nbytes = (i1 - i0) * self._row_bytes
        buf = got[1] if got is not None and len(got[1]) >= nbytes else np.empty(nbytes, np.uint8)
        self._file.readinto(buf[:nbytes], self._off + i0 * self._row_bytes)
        if scratch is not None:
            scratch[self] = ((i0, i1), buf)
        return self._view(buf, i1 - i0)

    def _view(self, buf: np.ndarray, n: int) -> np.ndarray:
        rows = buf[:n * self._row_bytes].view(self._dtype)
        return rows.reshape(n, self._width) if self._width else rows


class _MemRows:
    """Rows of a member decompressed into memory."""

    def __init__(self, array: np.ndarray):
        self._a = array

    def rows(self, i0: int, i1: int, scratch: dict | None = None) -> np.ndarray:
        return self._a[i0:i1]


class _Column:
    """One of t, x, y, p: a whole 1-D member (``sel`` None), a field of a structured one, or
    a column of an N x 4 one."""

    def __init__(self, rows, sel: str | int | None, dtype: np.dtype):
        self._rows, self._sel, self.dtype = rows, sel, dtype

    def get(self, i0: int, i1: int, scratch: dict | None = None) -> np.ndarray:
        r = self._rows.rows(i0, i1, scratch)
        return r if self._sel is None else r[self._sel] if isinstance(self._sel, str) else r[:, self._sel]


class NpzFileSource(ColumnReaderStats, EventSource):
    """Events in a NumPy ``.npz`` archive (layouts and how members are read: module docstring).

    Parameters:
        path: the ``.npz`` file.
        width, height: sensor size (default: the archive's ``width``/``height`` or
            ``sensor_size``/``resolution`` keys, else max x + 1, max y + 1 of the data).

    Example::

        np.savez("ev.npz", t=t_us, x=x, y=y, p=p, sensor_size=(346, 260))
        src = NpzFileSource("ev.npz")
    """

    extensions: ClassVar[tuple[str, ...]] = (".npz",)
    format = "npz"

    @classmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        """A zip whose first member is an ``.npy`` array; any zip named ``.npz`` (whose reader
        then says what is missing), also an empty one (``np.savez(f)``)."""
        npz = path.suffix.lower() == ".npz"
        if head.startswith(b"PK\x05\x06"):
            return npz
        if not head.startswith(b"PK\x03\x04"):
            return False
        name_len = int.from_bytes(head[26:28], "little")
        return npz or head[30:30 + name_len].endswith(b".npy")

    def __init__(self, path: str | Path, width: int | None = None, height: int | None = None):
        self.path = Path(path)
        self._file: FileReader | None = None
        self._cols: list[_Column] = []
        self._scratch: dict = {}  # read()'s buffers, reused batch after batch
        self.n_events = self._i = 0
        try:
            self._fh = open(self.path, "rb")
        except OSError as exc:
            raise InputError(f"{self.path}: not a readable .npz archive ({exc.strerror})") from None
        try:
            self._init(width, height)
        except BaseException:
            self.close()
            raise

    # --- opening ----------------------------------------------------------------------
    def _init(self, width: int | None, height: int | None) -> None:
        try:
            zf = zipfile.ZipFile(self._fh)
        except _ZIP_ERRORS as exc:
            why = first_line(exc)
            if why == "File is not a zip file":  # (the directory sits at the end: a cut file loses it)
                why = "no zip directory at its end: not a zip archive, or cut short"
            raise InputError(f"{self.path}: not a readable .npz archive ({why})") from None
        with zf:
            # np.savez stores key "x" as "x.npy" (np.load's keys likewise: the last of a name wins)
            self._members = {i.filename[:-4]: i for i in zf.infolist() if i.filename.endswith(".npy")}
            if not self._members:
                raise InputError(f"{self.path}: no arrays in this zip archive (numpy.savez stores "
                                 "each as KEY.npy)" + (f"; it holds {_listing(zf.namelist())}"
                                                       if zf.namelist() else ""))
            self._zf, self._size = zf, os.fstat(self._fh.fileno()).st_size
            self._headers: dict[str, tuple] = {}
            try:
                self._open_events()
                size = self._size_from_keys() if width is None or height is None else None
            finally:
                self._zf = None  # (compressed members are all read by now)
        n_rows = self.n_events
        self.n_events = filled_rows(lambda i, j: [c.get(i, j) for c in self._cols], n_rows, self.path)
        self.unfilled_rows = n_rows - self.n_events
        t_of = lambda i, j: self._cols[0].get(i, j)  # noqa: E731
        self._seconds, self._ns, self._maybe_ns = t_column_units(t_of, self.n_events, self.path,
                                                                 self._cols[0].dtype.kind == "f")
        where = "given"
        strays: list[int] = []  # (far x/y values set aside, said by columns_max)
        if size is not None:
            width = size[0] if width is None else width
            height = size[1] if height is None else height
            where = size[2]
        if width is None or height is None:
            where = "inferred from the data (max x/y + 1)"
            scratch: dict = {}
            max_x, max_y = columns_max(lambda i, j: [c.get(i, j, scratch) for c in self._cols[1:3]],
                                       self.n_events, "xy", self.path, BATCH_EVENTS, strays)
            width = max_x + 1 if width is None else width
            height = max_y + 1 if height is None else height
        self.width, self.height = check_sensor_size(self.path, width, height, where)
        self.size_inferred = where.startswith("inferred")
        self.size_strays = sum(strays)
        self.sensor = "unknown"
        self._drops = DropCounter(self.path, self.width, self.height, said=sum(strays))
        self._times = TimeGuard(self.path, rows_around(self._t_us, self.n_events))

    def _header(self, key: str):
        """``(shape, fortran, dtype, data offset or None)`` of member ``key`` (None: compressed);
        InputError naming the key when it is not a readable array (a pickled one included)."""
        if key in self._headers:
            return self._headers[key]
        info = self._members[key]
        who = f"{self.path}: array {key!r}"
        if info.flag_bits & 0x1:
            raise InputError(f"{who} is encrypted, which is not read")
        try:
            if info.compress_type == zipfile.ZIP_STORED:
                start = self._stored_start(info, who)
                self._fh.seek(start)
                shape, fortran, dtype = read_npy_header(self._fh)
                data_off = self._fh.tell()
                room = start + info.file_size - data_off
            else:
                with self._zf.open(info) as st:
                    shape, fortran, dtype = read_npy_header(st)
                    room = info.file_size - st.tell()
                data_off = None
        except ValueError as exc:  # (read_npy_header says why in one line, pickled arrays too)
            raise InputError(f"{who} is not readable ({exc})") from None
        except _ZIP_ERRORS as exc:
            raise InputError(f"{who} is not readable ({type(exc).__name__}: {first_line(exc, '')})") from None
        nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if nbytes > room:
            raise InputError(f"{who} is truncated (its header announces {nbytes:,} bytes of data, "
                             f"the archive holds {max(room, 0):,})")
        self._headers[key] = got = (tuple(shape), fortran, dtype, data_off)
        return got

    def _stored_start(self, info: zipfile.ZipInfo, who: str) -> int:
        """Where a stored member's bytes begin: after its local header, whose name and extra
        field lengths may differ from the directory's (zip64 extras)."""
        self._fh.seek(info.header_offset)
        head = self._fh.read(_LOCAL_HEADER.size)
        if len(head) < _LOCAL_HEADER.size or head[:4] != b"PK\x03\x04":
            raise InputError(f"{who}: the archive is damaged (no zip header where its directory "
                             "puts this array)")
        _, name_len, extra_len = _LOCAL_HEADER.unpack(head)
        start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
        if start + info.file_size > self._size:
            raise InputError(f"{who} is truncated (the archive ends {start + info.file_size - self._size:,} "
                             "bytes before the array does)")
        return start

    def _rows_of(self, key: str, width: int | None):
        """Rows of member ``key``: read by position when stored, else decompressed now, once."""
        shape, fortran, dtype, data_off = self._header(key)
        if data_off is not None:
            if fortran and width:  # column-major N x 4: four contiguous 1-D columns
                n = shape[0]
                return [_FileRows(self._reader(), data_off + k * n * dtype.itemsize, n, dtype, None)
                        for k in range(width)]
            return _FileRows(self._reader(), data_off, shape[0], dtype, width)
        return _MemRows(self._load(key, shape, fortran, dtype))

    def _reader(self) -> FileReader:
        if self._file is None:
            self._file = FileReader(self._fh, self.path)
        return self._file

    def _load(self, key: str, shape, fortran: bool, dtype: np.dtype) -> np.ndarray:
        """A compressed member's array, decompressed into memory (see the module docstring)."""
        nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
        who = f"{self.path}: array {key!r}"
        if nbytes >= 1 << 28:
            log.info("%s is compressed: decompressing %.1f GiB into memory (np.savez, uncompressed, "
                     "is read in batches)", who, nbytes / 2**30)
        try:
            buf = np.empty(nbytes, np.uint8)
        except MemoryError:
            raise InputError(f"{who} is compressed and does not fit in memory ({nbytes / 2**30:.1f} GiB "
                             "decompressed): save it with np.savez (uncompressed), read in batches") from None
        try:
            with self._zf.open(self._members[key]) as st:
                read_npy_header(st)
                mv, got = memoryview(buf), 0
                while got < nbytes:
                    k = st.readinto(mv[got:got + _CHUNK_BYTES])
                    if not k:
                        break
                    got += k
        except _ZIP_ERRORS as exc:  # bad CRC, corrupt deflate stream
            raise InputError(f"{who} does not decompress ({type(exc).__name__}: {first_line(exc, '')})") from None
        if got < nbytes:
            raise InputError(f"{who} is truncated ({got:,} of {nbytes:,} bytes decompressed)")
        return np.ndarray(shape, dtype, buffer=buf, order="F" if fortran else "C")

    def _open_events(self) -> None:
        """Find the events (one array per column, else one array of them all) and set
        ``_cols`` and ``n_events``."""
        keys = list(self._members)
        cols = [_pick(keys, c) for c in (T_NAMES, X_NAMES, Y_NAMES, P_NAMES)]
        if None not in cols:
            for key, what in zip(cols, "txyp"):
                shape, _, dtype, _ = self._header(key)
                if len(shape) != 1:
                    raise InputError(f"{self.path}: the {what} column (array {key!r}) is not 1-D "
                                     f"(shape {shape})")
                check_column(dtype, what, f"{self.path}: array {key!r}")
            lens = {key: self._header(key)[0][0] for key in cols}
            if len(set(lens.values())) != 1:
                raise InputError(f"{self.path}: event columns have different lengths ("
                                 + ", ".join(f"{k} {n:,}" for k, n in lens.items()) + ")")
            self._cols = [_Column(self._rows_of(k, None), None, self._header(k)[2]) for k in cols]
            self.n_events = int(lens[cols[0]])
            log.debug("%s: events from arrays %s", self.path, ", ".join(cols))
        else:
            key, fields = self._one_array(keys, cols)
            shape, _, dtype, _ = self._header(key)
            self.n_events = int(shape[0])
            rows = self._rows_of(key, None if fields else 4)
            if fields:
                self._cols = [_Column(rows, f, dtype[f]) for f in fields]
            elif isinstance(rows, list):  # (stored column-major N x 4)
                self._cols = [_Column(r, None, dtype) for r in rows]
            else:
                self._cols = [_Column(rows, k, dtype) for k in range(4)]
            log.debug("%s: events from array %r", self.path, key)
        if self.n_events == 0:
            raise InputError(f"{self.path}: contains no events")

    def _one_array(self, keys: list[str], cols: list[str | None]) -> tuple[str, list[str] | None]:
        """The key holding all events and its t, x, y, p fields (None: N x 4). Preferred names
        first; otherwise the one array with an event layout (two would be a guess)."""
        fits, why = [], {}
        preferred = [k for name in EVENT_KEYS for k in keys if k.lower() == name]
        for key in preferred + [k for k in keys if k not in preferred]:
            try:
                shape, _, dtype, _ = self._header(key)
                fits.append((key, event_fields(shape, dtype, f"{self.path}: array {key!r}")))
            except InputError as exc:
                why[key] = exc
            if fits and fits[0][0].lower() in EVENT_KEYS:
                return fits[0]
        if len(fits) == 1:
            return fits[0]
        if fits:
            raise InputError(f"{self.path}: several arrays could be the events "
                             f"({', '.join(repr(k) for k, _ in fits)}): name the one 'events'")
        named = next((k for k in keys if k.lower() in EVENT_KEYS), None)
        if named is not None:  # (its own fault says most: "structured array needs ...", pickled)
            raise why[named]
        have = [w for w, c in zip("txyp", cols) if c is not None]
        if have:
            missing = ", ".join(w for w, c in zip("txyp", cols) if c is None)
            raise InputError(f"{self.path}: no {missing} column (arrays: {_listing(keys)}); "
                             "expected t, x, y, p arrays (or ts/timestamp, polarity/pol, ...)")
        pickled = [k for k, e in why.items() if "Python objects" in str(e)]
        raise InputError(f"{self.path}: no event arrays (arrays: {_listing(keys)}"
                         + (f"; {', '.join(map(repr, pickled))} hold{'s' if len(pickled) == 1 else ''} "
                            "pickled Python objects, never loaded" if pickled else "")
                         + "): expected t, x, y, p arrays (or ts/timestamp, polarity/pol, ...), or one "
                         "structured or N x 4 (t, x, y, p) array")

    def _size_from_keys(self) -> tuple[int, int, str] | None:
        """``(width, height, where)`` from the archive's size keys, else None."""
        keys = list(self._members)
        w, h = _pick(keys, ("width",)), _pick(keys, ("height",))
        if w is not None and h is not None:
            return (*(self._whole(k, 1)[0] for k in (w, h)), f"in its {w!r}/{h!r} arrays")
        for name in SIZE_KEYS:
            key = _pick(keys, (name,))
            if key is not None:
                width, height = self._whole(key, 2)[:2]
                return width, height, f"in its {key!r} array (width, height)"
        return None

    def _whole(self, key: str, least: int) -> list[int]:
        """The whole numbers in small member ``key`` (at least ``least`` of them, at most 4)."""
        shape, fortran, dtype, data_off = self._header(key)
        n = int(np.prod(shape, dtype=object))
        bad = InputError(f"{self.path}: array {key!r} is not a sensor size ({dtype} {shape}: expected "
                         + ("one whole number" if least == 1 else "(width, height) in pixels") + ")")
        if dtype.kind not in "iuf" or not least <= n <= 4:
            raise bad
        if data_off is None:
            v = self._load(key, shape, fortran, dtype)
        else:
            v = _FileRows(self._reader(), data_off, n, dtype, None).rows(0, n)
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        if not np.all(np.isfinite(v)) or not np.all(v == np.round(v)):
            raise bad
        return [int(x) for x in v]

    # --- reading ----------------------------------------------------------------------
    def _t_us(self, i0: int, i1: int, scratch: dict | None = None) -> np.ndarray:
        """Rows ``i0..i1``'s times in µs; those of rows left out for a float x/y/p that is
        NaN/inf read as no time (:func:`~.npy_file.without_nonfinite`)."""
        t = timestamps_to_us(self._cols[0].get(i0, i1, scratch), self._seconds, self.path, ns=self._ns)
        if not any(c.dtype.kind == "f" for c in self._cols[1:]):
            return t
        return without_nonfinite(t, [c.get(i0, i1) for c in self._cols[1:]])

    def read(self) -> np.ndarray | None:
        if not self._cols:
            return None
        if self._i >= self.n_events:
            self._drops.flush()
            self._times.flush()
            return None
        i0, i1 = self._i, min(self.n_events, self._i + BATCH_EVENTS)
        t, x, y, p = (c.get(i0, i1, self._scratch) for c in self._cols)
        self._i = i1
        # (the packed copy does not point into the reused buffers)
        return columns_to_events(timestamps_to_us(t, self._seconds, self.path, ns=self._ns), x, y, p, self.width,
                                 self.height, name=str(self.path), drops=self._drops, contiguous=False,
                                 times=self._times, span=(i0, i1))

    def seek(self, t_us: int) -> None:
        """Continue from the first event with ``t >= t_us`` (bisection, a few rows read per step;
        assumes sorted time)."""
        scratch: dict = {}
        self._i = first_at_or_after(self.n_events, lambda i, j: self._t_us(i, j, scratch), t_us)

    def time_range_us(self) -> tuple[int, int] | None:
        """(min t, max t), scanned in batches (bounded memory); kept, as it is asked again and again."""
        if not hasattr(self, "_range_us"):
            scratch: dict = {}
            self._range_us = scan_time_range(self.n_events, lambda i, j: self._t_us(i, j, scratch),
                                             BATCH_EVENTS, self._times)
        return self._range_us

    def close(self) -> None:
        self._cols = []
        self._scratch = {}
        self._file = None
        self._i = self.n_events
        if getattr(self, "_fh", None) is not None:
            self._fh.close()
            self._fh = None


def _listing(names, limit: int = 8) -> str:
    """``a, b, c`` (the first ``limit`` names, then how many more)."""
    names = list(names)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
