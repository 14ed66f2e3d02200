"""Event writer for our HDF5 layout (``format = "evfocus-h5"``).

Layout (attrs ``sensor``/``format`` are fixed-length byte strings: ``.decode()`` them):
group ``/events`` with 1-D datasets ``t`` (int64 µs), ``x``, ``y`` (uint16) and
``p`` (uint8, 1 = ON), chunked, appendable (``maxshape=None``) and compressed with
Blosc/LZ4 from hdf5plugin (gzip if hdf5plugin is missing); root attributes ``width``,
``height``, ``sensor`` and ``format``. Other groups (the simulator's ``/frames``) may
live in the same file: pass ``mode="a"`` to add events to an existing file.

Columns rather than one compound dataset: each column compresses better on its own and
readers can load ``t`` alone to seek.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import h5py
import numpy as np

from .. import __version__
from ..errors import InputError
from ..versions import VERSION_KEY
from .base import EventWriter, unlink_old_file

log = logging.getLogger(__name__)

H5_FORMAT = "evfocus-h5"
COLUMNS = (("t", np.int64), ("x", np.uint16), ("y", np.uint16), ("p", np.uint8))
CHUNK_EVENTS = 1 << 16


def _compression() -> dict:
    try:
        import hdf5plugin
        return dict(hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
    except Exception:  # hdf5plugin missing or broken: gzip is always there
        return {"compression": "gzip", "compression_opts": 1, "shuffle": True}



class Hdf5Writer(EventWriter):
    """Append events to ``/events/{t,x,y,p}`` of an HDF5 file.

    Parameters:
        path: output file.
        width, height, sensor: stored as root attributes.
        mode: ``"w"`` (default, overwrite) or ``"a"`` (add to an existing file).
        flush_s: flush to disk at most this often (seconds); ``close`` always flushes.
        check_bounds: refuse (ValueError) events outside ``width`` x ``height``, which readers
            drop; False writes them as given.

    Example::

        with Hdf5Writer("out.h5", 346, 260) as w:
            w.write(events)
    """

    def __init__(self, path: str | Path, width: int, height: int, sensor: str = "evfocus-live",
                 mode: str = "w", flush_s: float = 1.0, check_bounds: bool = True):
        self.path = Path(path)
        self.check_bounds = bool(check_bounds)
        if mode == "w":  # (only then: "a" adds to the file)
            unlink_old_file(self.path)
        try:
            self._f = h5py.File(self.path, mode)
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write HDF5 ({exc})") from exc
        try:  # before anything is written: a file refused for appending stays as it was
            self._check_appendable()
        except BaseException:
            f, self._f = self._f, None
            f.close()
            raise
        self.width, self.height = int(width), int(height)
        self._f.attrs["width"] = self.width
        self._f.attrs["height"] = self.height
        # fixed-length strings: a variable-length one lives on the global heap, and a
        # damaged heap reference makes HDF5 spin for seconds when the reader opens it
        self._f.attrs["sensor"] = np.bytes_(str(sensor).encode())
        self._f.attrs["format"] = np.bytes_(H5_FORMAT.encode())
        self._f.attrs[VERSION_KEY] = np.bytes_(__version__.encode())  # (which evfocus-live wrote it)
        g = self._f.require_group("events")
        comp = _compression()
        self._ds = {}
        for name, dt in COLUMNS:
            if name in g:
                self._ds[name] = g[name]
            else:
                self._ds[name] = g.create_dataset(name, shape=(0,), maxshape=(None,), dtype=dt,
                                                  chunks=(CHUNK_EVENTS,), **comp)
        self.events_written = int(self._ds["t"].shape[0])
        self.flush_s = flush_s
        self._last_flush = time.monotonic()

    def _check_appendable(self) -> None:
        """Mode "a": the file's own columns must be resizable 1-D datasets of one length. A
        fixed-size one failed only at the first write, with h5py's TypeError; unequal lengths
        would append misaligned events."""
        g = self._f.get("events")
        if g is None:
            return
        if not isinstance(g, h5py.Group):
            raise InputError(f"{self.path}: /events is not a group; cannot append events")
        lengths = {}
        for name, _ in COLUMNS:
            ds = g.get(name)
            if ds is None:
                continue
            if not isinstance(ds, h5py.Dataset) or ds.ndim != 1 or ds.maxshape[0] is not None:
                raise InputError(f"{self.path}: /events/{name} cannot be appended to (not a resizable 1-D column)")
            lengths[name] = ds.shape[0]
        if len(set(lengths.values())) > 1 or (lengths and len(lengths) < len(COLUMNS) and any(lengths.values())):
            raise InputError(f"{self.path}: /events columns missing or of unequal length {lengths}; cannot append")

    def write(self, events: np.ndarray) -> None:
        """Append a batch (EVENT_DTYPE, or any records with t, x, y, p fields)."""
        self._check_open()
        events = self._records(events)
        n = len(events)
        if n == 0:
            return
        n0 = self.events_written
        try:
            for name, dt in COLUMNS:
                ds = self._ds[name]
                ds.resize((n0 + n,))
                col = events[name]
                ds[n0:n0 + n] = (col != 0).astype(dt) if name == "p" else col.astype(dt, copy=False)
        except BaseException:  # a full disk: cut every column back, as columns of unequal
            for name, _ in COLUMNS:  # length made our reader refuse the whole file
                try:
                    self._ds[name].resize((n0,))
                except Exception:
                    pass
            raise
        self.events_written = n0 + n
        now = time.monotonic()
        if now - self._last_flush >= self.flush_s:
            self._f.flush()
            self._last_flush = now

    @property
    def closed(self) -> bool:
        return getattr(self, "_f", None) is None

    def _finish(self) -> None:
        """Flush and close."""
        f, self._f = self._f, None
        f.close()
