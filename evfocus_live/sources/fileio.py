"""Positioned file reads for the file readers (AEDAT4, RAW, ``.npy``, ``.npz``, text), instead of memory
maps, that notice a file cut or rewritten under them."""

from __future__ import annotations

import os
import threading

import numpy as np

from ..errors import InputError, first_line

#: bytes kept from the end of the last read, to tell a file that grew from one rewritten
PROBE_BYTES = 64


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    """What changes when a file is written: its size, and its modification and status-change
    times (a coarse clock: a truncation soon after a write may keep the same times)."""
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns


class FileReader:
    """Positioned reads of an open file that fail with one line if the file shrinks.

    Why not ``mmap`` (as these readers used): touching a mapped page past the end of a file
    that was truncated under the reader (a recorder rewriting it, a sync tool, a re-export)
    kills the whole process with SIGBUS, no message, the viewer's recording lost. A plain
    read just comes up short; :meth:`readinto` then raises :class:`InputError` and the caller
    keeps the events it already returned. ``os.preadv`` has no file position, so prefetch
    threads can share the descriptor (where it is missing: a lock around seek + readinto).

    A file rewritten in place under the reader (a recorder restarting under the same name
    with ``O_TRUNC``, logrotate's ``copytruncate``) keeps its inode, so the reader went on
    decoding another recording's bytes from its old offset, mixed with the first one's
    events, in silence. So each read first compares the file's size and times with the last
    ones seen; when they changed, a file smaller than when opened raises :class:`InputError`,
    and so does one where the last :data:`PROBE_BYTES` bytes read before differ now.
    A file that only grew (a recording still being written) passes: its old bytes are the
    same, and the readers stop at :attr:`size`, its size when they opened it.
    """

    def __init__(self, fh, path):
        self._fh, self._fd, self.path = fh, fh.fileno(), path
        self._lock = None if hasattr(os, "preadv") else threading.Lock()
        st = os.fstat(self._fd)
        #: size when opened (of the open file, not of whatever the path names now)
        self.size = st.st_size
        self._stamp = _stamp(st)
        self._probe: tuple[int, bytes] | None = None  # (offset, bytes) of the last read's end

    def check_unchanged(self) -> None:
        """InputError if the file was rewritten or cut since the last read (see the class doc)."""
        try:
            st = os.fstat(self._fd)
        except OSError:
            return  # (a closed file: the read that follows says so)
        stamp = _stamp(st)
        if stamp == self._stamp:
            return
        if st.st_size < self.size:
            raise InputError(f"{self.path}: the file shrank while being read (now {st.st_size:,} "
                             f"bytes, {self.size:,} when opened); stopped after the events read so far")
        probe = self._probe
        if probe is not None:
            off, old = probe
            try:
                if self._lock is None:
                    now = os.pread(self._fd, len(old), off)
                else:
                    with self._lock:
                        self._fh.seek(off)
                        now = self._fh.read(len(old))
            except OSError:
                now = b""
            if now != old:
                raise InputError(f"{self.path}: the file was rewritten while being read (the bytes "
                                 f"at {off:,} changed); stopped after the events read so far")
        self._stamp = stamp

    def check_path(self, why: str) -> None:
        """InputError unless ``path`` still names the file opened, unchanged: for a library
        that can only open a path again (the Metavision SDK: RAW seeks), where a recording
        rotated (another file renamed over the path) or rewritten since would be read in
        silence beside this one's events. ``why``: what is refused, for the message."""
        try:
            same = os.path.samestat(os.fstat(self._fd), os.stat(self.path))
        except OSError:
            same = False
        if not same:
            raise InputError(f"{self.path}: the path names another file than the one opened "
                             f"(replaced or removed since); {why}")
        self.check_unchanged()

    def _keep_probe(self, mv: memoryview, offset: int) -> None:
        """Keep the end of a read just made, for :meth:`check_unchanged`."""
        k = min(len(mv), PROBE_BYTES)
        if k:
            self._probe = (offset + len(mv) - k, bytes(mv[len(mv) - k:]))

    def readinto(self, out, offset: int) -> None:
        """Fill the writable buffer ``out`` (a C-contiguous array) with the bytes from ``offset`` on."""
        if isinstance(out, np.ndarray):  # any dtype (structured, big-endian) as plain bytes
            if not out.flags.c_contiguous:
                raise ValueError("FileReader.readinto needs a C-contiguous array")
            out = out.reshape(-1).view(np.uint8)
        mv = memoryview(out).cast("B")
        self.check_unchanged()
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
        # again after: a rewrite between the check above and the read (a prefetch thread's)
        # would hand another recording's bytes to the decoder, which would call them corrupt
        self.check_unchanged()
        if got < n:
            try:
                now = f"{os.fstat(self._fd).st_size:,} bytes"
            except OSError:
                now = "smaller"
            raise InputError(f"{self.path}: the file shrank while being read (now {now}, byte "
                             f"{offset + n:,} was needed); stopped after the events read so far")
        self._keep_probe(mv, offset)

    def read(self, offset: int, n: int) -> bytes:
        """``n`` bytes from ``offset`` (InputError as :meth:`readinto` if they are not there)."""
        if self._lock is None and n:
            self.check_unchanged()
            try:
                b = os.pread(self._fd, n, offset)  # one copy (bytearray + bytes() is two)
            except OSError:
                b = b""  # readinto below says why, in one line
            if len(b) == n:
                self.check_unchanged()  # (again after, as readinto: AEDAT4's prefetch threads read here)
                self._keep_probe(memoryview(b), offset)
                return b
        buf = bytearray(n)
        self.readinto(buf, offset)
        return bytes(buf)
