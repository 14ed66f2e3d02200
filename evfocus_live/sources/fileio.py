"""Positioned file reads for the file readers (AEDAT4, RAW, ``.npy``), instead of memory maps."""

from __future__ import annotations

import os
import threading

import numpy as np

from ..errors import InputError, first_line


class FileReader:
    """Positioned reads of an open file that fail with one line if the file shrinks.

    Why not ``mmap`` (as these readers used): touching a mapped page past the end of a file
    that was truncated under the reader (a recorder rewriting it, a sync tool, a re-export)
    kills the whole process with SIGBUS, no message, the viewer's recording lost. A plain
    read just comes up short; :meth:`readinto` then raises :class:`InputError` and the caller
    keeps the events it already returned. ``os.preadv`` has no file position, so prefetch
    threads can share the descriptor (where it is missing: a lock around seek + readinto).
    """

    def __init__(self, fh, path):
        self._fh, self._fd, self.path = fh, fh.fileno(), path
        self._lock = None if hasattr(os, "preadv") else threading.Lock()

    def readinto(self, out, offset: int) -> None:
        """Fill the writable buffer ``out`` (a C-contiguous array) with the bytes from ``offset`` on."""
        if isinstance(out, np.ndarray):  # any dtype (structured, big-endian) as plain bytes
            if not out.flags.c_contiguous:
                raise ValueError("FileReader.readinto needs a C-contiguous array")
            out = out.reshape(-1).view(np.uint8)
        mv = memoryview(out).cast("B")
        got, n = 0, len(mv)
        try:
            while got < n:
                if self._lock is None:
                    k = os.preadv(self._fd, [mv[got:]], offset + got)
                else:
                    with self._lock:
                        self._fh.seek(offset + got)
                        k = self._fh.readinto(mv[got:])
                if not k:
                    break
                got += k
        except (OSError, ValueError) as exc:  # EIO from a dying disk; a closed file
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else first_line(exc)
            raise InputError(f"{self.path}: cannot read at byte {offset + got:,} ({why})") from None
        if got < n:
            try:
                now = f"{os.fstat(self._fd).st_size:,} bytes"
            except OSError:
                now = "smaller"
            raise InputError(f"{self.path}: the file shrank while being read (now {now}, byte "
                             f"{offset + n:,} was needed); stopped after the events read so far")

    def read(self, offset: int, n: int) -> bytes:
        """``n`` bytes from ``offset`` (InputError as :meth:`readinto` if they are not there)."""
        if self._lock is None and n:
            try:
                b = os.pread(self._fd, n, offset)  # one copy (bytearray + bytes() is two)
            except OSError:
                b = b""  # readinto below says why, in one line
            if len(b) == n:
                return b
        buf = bytearray(n)
        self.readinto(buf, offset)
        return bytes(buf)
