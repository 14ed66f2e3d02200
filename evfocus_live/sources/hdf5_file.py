"""HDF5 event files: our layout, the E2VID/event_cnn_minimal layout, Prophesee ``/CD/events``.

* ours (``format = "evfocus-h5"``, :mod:`evfocus_live.writers.hdf5`): ``/events/{t,x,y,p}``
  with t int64 µs; root attrs ``width``, ``height``, ``sensor``;
* E2VID / event_cnn_minimal: ``/events/{ts,xs,ys,ps}`` with ``ts`` float seconds (or
  integer µs) and root attr ``sensor_resolution`` = (height, width);
* v2e (``--dvs_h5``): ``/events`` as an N x 4 array ``(t, x, y, p)``, t integer µs (float:
  seconds), as an N x 4 ``.npy``;
* ``/events`` as one dataset of records with fields named as in a structured ``.npy``
  (``f["events"] = events`` in h5py);
* DSEC: ``/events/{t,x,y,p}`` with t in µs from a root ``t_offset`` scalar, which is added
  (``format = "hdf5-dsec"``), so times match DSEC's image timestamps;
* Prophesee: ``/CD/events`` compound ``(x, y, p, t)``, sensor size from the root attr
  ``geometry`` ("1280x720") as Metavision writes it. Their ECF compression filter is
  not in hdf5plugin, so such files give a clear error unless the filter is installed.

Columns are read in slices of :data:`BATCH_EVENTS`; timestamps pass through in file
order, and epoch-nanosecond ones are read as µs (see :mod:`evfocus_live.sources.npy_file` for
the policy).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path
from typing import ClassVar

import numpy as np

from ..errors import InputError
from ..versions import VERSION_KEY
from .aedat4_file import Prefetcher
from .base import EventSource, check_sensor_size
from .corrupt_times import NOT_A_TIME_US, TimeGuard, filled_rows, rows_around
from .npy_file import (P_NAMES, T_NAMES, X_NAMES, Y_NAMES, ColumnReaderStats, DropCounter, _pick, check_column,
                       column_max, columns_to_events, first_at_or_after, scan_time_range, timestamps_to_us,
                       t_column_units, without_nonfinite)

log = logging.getLogger(__name__)

BATCH_EVENTS = 1 << 19
#: what h5py raises on corrupt files (RuntimeError for damaged attribute/object headers)
_H5_ERRORS = (KeyError, ValueError, OSError, TypeError, RuntimeError, IndexError)
H5_MAGIC = b"\x89HDF\r\n\x1a\n"


def import_h5py():
    """h5py, with hdf5plugin's Blosc/LZ4/Zstd filters registered when it is installed
    (files written with gzip, as without it, read fine either way)."""
    import h5py

    try:
        import hdf5plugin  # noqa: F401
    except ImportError:
        pass
    return h5py


#: Prophesee's ECF codec (their HDF5 files' /CD/events), registered HDF5 filter id 0x8ECF
ECF_FILTER_ID = 36559


def check_filters(ds, path) -> None:
    """InputError naming the filter when ``ds`` is compressed with one this HDF5 cannot load:
    the read failed later as "can't open directory (/usr/local/lib/plugin)"."""
    import h5py

    try:
        plist = ds.id.get_create_plist()
        filters = [plist.get_filter(i)[:4:3] for i in range(plist.get_nfilters())]
    except Exception:  # (not a chunked dataset, an odd plist: the reads say what is wrong)
        return
    for code, name in filters:
        if h5py.h5z.filter_avail(code):
            continue
        if code == ECF_FILTER_ID:
            raise InputError(f"{path}: {ds.name} is compressed with Prophesee's ECF codec (HDF5 "
                             f"filter {code}), which is not installed: get Prophesee's hdf5_ecf "
                             "filter plugin (its GitHub repository, or the Metavision SDK) and set "
                             "HDF5_PLUGIN_PATH to its folder, or export the recording as .raw")
        label = name.decode("latin-1", "replace") if isinstance(name, bytes) else str(name)
        raise InputError(f"{path}: {ds.name} is compressed with HDF5 filter {code} "
                         f"({label or 'unnamed'}), which is not installed (hdf5plugin provides "
                         "Blosc, LZ4, Zstd, Bitshuffle...; set HDF5_PLUGIN_PATH for others)")


def _geometry(value) -> tuple[int, int] | None:
    """(width, height) from a Metavision ``geometry`` attribute ("1280x720"), else None."""
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", value) if isinstance(value, str) else None
    return (int(m[1]), int(m[2])) if m else None


def _dataset_of(col):
    """The h5py dataset behind a column (a dataset, or one of the wrappers below)."""
    if isinstance(col, _Field):
        return col._ds
    if isinstance(col, _Column):
        return col._rows.ds
    return col


def _offset(t: np.ndarray, offset_us: int) -> np.ndarray:
    """``t`` plus a file's ``t_offset``, rows that are no time kept as they are (the reader's
    :class:`TimeGuard` knows them by :data:`~.corrupt_times.NOT_A_TIME_US`)."""
    out = t + offset_us
    out[t == NOT_A_TIME_US] = NOT_A_TIME_US
    return out


class Hdf5FileSource(ColumnReaderStats, EventSource):
    """Events in an HDF5 file (layouts in the module docstring).

    Parameters:
        path: the ``.h5``/``.hdf5`` file.
        width, height: override the sensor size (else from attributes, else max + 1).

    Example::

        src = Hdf5FileSource("seq_00000.h5")   # written by Hdf5Writer / the simulator
        src.seek(1_000_000)
    """

    extensions: ClassVar[tuple[str, ...]] = (".h5", ".hdf5", ".hdf")
    format = "hdf5"

    @classmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        return head.startswith(H5_MAGIC)

    def __init__(self, path: str | Path, width: int | None = None, height: int | None = None):
        h5py = import_h5py()
        self.path = Path(path)
        try:
            self._f = h5py.File(self.path, "r")
        except (OSError, ValueError) as exc:
            raise InputError(f"{self.path}: not a readable HDF5 file "
                             f"({str(exc).splitlines()[0][:120]})") from None
        self._stat0 = self._file_stat()
        try:
            self._init(width, height)
        except InputError:
            self._f.close()
            raise
        except _H5_ERRORS as exc:
            self._f.close()
            raise InputError(f"{self.path}: cannot read events ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0][:120] if str(exc) else ''})") from None

    def _init(self, width, height) -> None:
        import h5py
        f = self._f
        attrs = f.attrs
        self._seconds = self._ns = False
        g = f.get("events")
        self._t_offset_us = 0
        if isinstance(g, h5py.Group) and all(k in g for k in ("t", "x", "y", "p")):
            self._cols = [g["t"], g["x"], g["y"], g["p"]]
            self.format = "hdf5"
            off = f.get("t_offset")  # DSEC: events/t counts µs from this root scalar
            if (isinstance(off, h5py.Dataset) and off.shape == () and off.dtype.kind in "iu"
                    and g["t"].dtype.kind in "iu"):
                self._t_offset_us = int(off[()])
                self.format = "hdf5-dsec"
        elif isinstance(g, h5py.Group) and all(k in g for k in ("ts", "xs", "ys", "ps")):
            self._cols = [g["ts"], g["xs"], g["ys"], g["ps"]]
            self.format = "hdf5-e2vid"
        elif (isinstance(g, h5py.Dataset) and len(g.shape) == 2 and g.shape[1] == 4
              and g.dtype.kind in "iuf"):  # v2e --dvs_h5: N x 4 (t µs, x, y, p), as .npy
            rows = _Rows(g)
            self._cols = [_Column(rows, k) for k in range(4)]
            self.format = "hdf5-v2e"
        elif isinstance(g, h5py.Dataset) and g.dtype.names and len(g.shape) == 1 and None not in (
                names := [_pick(g.dtype.names, c) for c in (T_NAMES, X_NAMES, Y_NAMES, P_NAMES)]):
            self._cols = [_Field(g, k) for k in names]  # h5py's f["events"] = a structured array
            self.format = "hdf5-compound"
        elif isinstance(f.get("CD/events"), h5py.Dataset):
            ds = f["CD/events"]
            names = ds.dtype.names or ()
            if not all(k in names for k in ("t", "x", "y", "p")):
                raise InputError(f"{self.path}: /CD/events lacks t, x, y, p fields")
            self._cols = [_Field(ds, k) for k in ("t", "x", "y", "p")]
            self.format = "hdf5-prophesee"
        else:
            raise InputError(f"{self.path}: HDF5 file has no event datasets "
                             "(/events/{t,x,y,p}, /events/{ts,xs,ys,ps}, /events as N x 4 or "
                             "t/x/y/p records, or /CD/events)")
        for ds in {id(d): d for d in map(_dataset_of, self._cols)}.values():
            check_filters(ds, self.path)
        for c, what in zip(self._cols, "txyp"):
            if len(c.shape) != 1:
                raise InputError(f"{self.path}: the {what} column is not 1-D (shape {c.shape})")
            check_column(c.dtype, what, self.path)
        lens = {int(c.shape[0]) for c in self._cols}
        if len(lens) != 1:
            raise InputError(f"{self.path}: event columns have different lengths {sorted(lens)}")
        self.n_events = lens.pop()
        if self.n_events == 0:
            raise InputError(f"{self.path}: contains no events")
        n_rows = self.n_events
        self.n_events = filled_rows(lambda i, j: [self._col(k, i, j) for k in range(4)], n_rows, self.path)
        self.unfilled_rows = n_rows - self.n_events
        t_of = lambda i, j: self._col(0, i, j)  # noqa: E731
        self._seconds, self._ns, self._maybe_ns = t_column_units(t_of, self.n_events, self.path,
                                                                 self._cols[0].dtype.kind == "f")
        where = "given"
        if width is None and "width" in attrs and "height" in attrs:
            width, height, where = int(attrs["width"]), int(attrs["height"]), "in the header"
        elif width is None and "sensor_resolution" in attrs:
            height, width = (int(v) for v in np.asarray(attrs["sensor_resolution"])[:2])
            where = "in the header"
        elif width is None and (size := _geometry(attrs.get("geometry"))) is not None:
            width, height = size  # Metavision's files: the max + 1 of a scene was too small
            where = "in the header (geometry)"
        self._strays: list[int] = []  # (far x/y values set aside, said by columns_max)
        if width is None or height is None:
            where = "inferred from the data (max x/y + 1)"
            width = self._colmax(1) + 1 if width is None else width
            height = self._colmax(2) + 1 if height is None else height
        self.width, self.height = check_sensor_size(self.path, width, height, where)
        self.size_inferred = where.startswith("inferred")
        self.size_strays = sum(self._strays)
        sensor = attrs.get("sensor", "unknown")
        self.sensor = sensor.decode() if isinstance(sensor, bytes) else str(sensor)
        made_by = attrs.get(VERSION_KEY)  # (our recordings and simulated sequences: evfocus info says it)
        self.evfocus_version = made_by.decode() if isinstance(made_by, bytes) else None if made_by is None else str(made_by)
        self._n_batches = -(-self.n_events // BATCH_EVENTS)
        self._first: tuple[int, int] | None = None
        self._local = threading.local()
        self._prefetch = Prefetcher(self._batch, self._n_batches, depth=3, name="hdf5")
        self._drops = DropCounter(self.path, self.width, self.height, said=sum(self._strays))
        self._times = TimeGuard(self.path, rows_around(self._t_us, self.n_events))

    def _file_stat(self) -> tuple[int, int] | None:
        """(size, mtime ns) of the file h5py opened (its descriptor, not the path: the path may
        name another file by now), None where the driver has no descriptor."""
        try:
            st = os.fstat(self._f.id.get_vfd_handle())
        except Exception:  # (another driver; a closed file)
            return None
        return st.st_size, st.st_mtime_ns

    def _check_unchanged(self) -> None:
        """InputError if the file was cut or rewritten since it was opened: HDF5 has no way to
        read a file that changes under it (without SWMR), and went on in silence with cached
        chunk indexes or failed as "filter returned failure during read"."""
        now = self._file_stat()
        if now is None or self._stat0 is None or now == self._stat0:
            return
        what = "shrank" if now[0] < self._stat0[0] else "changed"
        raise InputError(f"{self.path}: the file {what} while being read (HDF5 files cannot be "
                         "read while they change); stopped after the events read so far")

    def _read_error(self, i0: int, i1: int, exc: Exception) -> InputError:
        """The one-line error for a failed read of events ``i0..i1``: a file changed under the
        reader says so (else: what HDF5 said, a corrupt chunk or a missing filter)."""
        try:
            self._check_unchanged()
        except InputError as changed:
            return changed
        return InputError(f"{self.path}: cannot read events {i0}..{i1} ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0][:100] if str(exc) else ''})")

    def _colmax(self, k: int) -> int:
        return column_max(lambda i, j: self._col(k, i, j), self.n_events, "xy"[k - 1], self.path,
                          strays=self._strays)

    def _col(self, k: int, i0: int, i1: int) -> np.ndarray:
        try:
            return np.asarray(self._cols[k][i0:i1])
        except _H5_ERRORS as exc:  # corrupt chunk, missing filter, a file changed under us
            raise self._read_error(i0, i1, exc) from None

    def _t_us(self, i0: int, i1: int) -> np.ndarray:
        """Rows ``i0..i1``'s times in µs; those of rows left out for a float x/y/p that is
        NaN/inf read as no time (:func:`~.npy_file.without_nonfinite`)."""
        t = timestamps_to_us(self._col(0, i0, i1), self._seconds, self.path, ns=self._ns)
        if any(c.dtype.kind == "f" for c in self._cols[1:]):
            t = without_nonfinite(t, [self._col(k, i0, i1) for k in (1, 2, 3)])
        return _offset(t, self._t_offset_us) if self._t_offset_us else t

    def _batch(self, b: int, i_start: int | None = None) -> np.ndarray:
        """Events of batch ``b`` (runs on the prefetch threads: h5py locks itself).

        Columns are read into per-thread scratch buffers (``read_direct``): fresh memory
        costs a page fault per 4 KiB on first touch, so only the packed output is new.
        """
        i0 = b * BATCH_EVENTS if i_start is None else i_start
        i1 = min(self.n_events, (b + 1) * BATCH_EVENTS)
        if not all(hasattr(c, "read_direct") for c in self._cols):
            cols = [self._col(k, i0, i1) for k in range(4)]
        else:
            bufs = getattr(self._local, "bufs", None)
            if bufs is None:
                # native byte order: HDF5 converts big-endian columns while reading
                bufs = self._local.bufs = [np.empty(BATCH_EVENTS, dtype=c.dtype.newbyteorder("="))
                                           for c in self._cols]
            m = i1 - i0
            try:
                for c, buf in zip(self._cols, bufs):
                    c.read_direct(buf, np.s_[i0:i1], np.s_[0:m])
            except _H5_ERRORS as exc:
                raise self._read_error(i0, i1, exc) from None
            cols = [buf[:m] for buf in bufs]
        if self._t_offset_us:  # (DSEC: the offset is added before the check, as to the context rows)
            ev = columns_to_events(*cols, self.width, self.height, t_is_seconds=self._seconds,
                                   name=str(self.path), drops=self._drops, t_is_ns=self._ns)
            ev["t"] = _offset(ev["t"], self._t_offset_us)
            return self._times.filter(ev, i0, i1)
        return columns_to_events(*cols, self.width, self.height, t_is_seconds=self._seconds, name=str(self.path),
                                 drops=self._drops, t_is_ns=self._ns, times=self._times, span=(i0, i1))

    def read(self) -> np.ndarray | None:
        if self._f is None:
            return None
        self._check_unchanged()
        if self._first is not None:  # first batch after a seek starts mid-batch
            b, i0 = self._first
            self._first = None
            ev = self._batch(b, i0)
        else:
            ev = self._prefetch.get()
            if ev is None:
                self._drops.flush()
                self._times.flush()
                return None
        return ev

    def seek(self, t_us: int) -> None:
        """Binary search on the t column (sorted files), reading a few elements a step."""
        lo = first_at_or_after(self.n_events, self._t_us, t_us)
        b = lo // BATCH_EVENTS
        self._prefetch.reset(b + 1)
        self._first = (b, lo) if lo < self.n_events else None

    def time_range_us(self) -> tuple[int, int] | None:
        """(min t, max t), scanning the t column once in slices. The
        result is kept: the viewer and the loop ask again and again."""
        if not hasattr(self, "_range_us"):
            self._range_us = scan_time_range(self.n_events, self._t_us, BATCH_EVENTS, self._times)
        return self._range_us

    def close(self) -> None:
        pf = getattr(self, "_prefetch", None)
        if pf is not None:
            pf.close()
        if getattr(self, "_f", None) is not None:
            f, self._f = self._f, None
            self._cols = []
            f.close()


class _Rows:
    """Rows of an N x 4 dataset, the last slice read kept per thread: the four columns of a
    batch then cost one read (a strided column read is ~4x slower, and decompresses each
    chunk once per column)."""

    def __init__(self, ds):
        self.ds = ds
        self._local = threading.local()

    def __getitem__(self, sl: slice) -> np.ndarray:
        key = (sl.start, sl.stop)
        got = getattr(self._local, "last", None)
        if got is None or got[0] != key:
            got = self._local.last = (key, self.ds[sl])
        return got[1]


class _Column:
    """One column of an N x 4 dataset, sliceable like a column dataset."""

    def __init__(self, rows: _Rows, k: int):
        self._rows, self._k = rows, k
        self.shape = rows.ds.shape[:1]
        self.dtype = rows.ds.dtype

    def __getitem__(self, sl):
        return self._rows[sl][:, self._k]


class _Field:
    """One field of a compound dataset, sliceable like a column dataset."""

    def __init__(self, ds, name: str):
        self._ds, self._name = ds, name
        self.shape = ds.shape
        self.dtype = ds.dtype[name]

    def __getitem__(self, sl):
        return self._ds.fields(self._name)[sl]
