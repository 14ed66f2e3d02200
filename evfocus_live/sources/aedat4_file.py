"""AEDAT 4.0 recordings (iniVation DV): events, APS frames, IMU and triggers by our own
bounded parser.

Why not ``dv.io.MonoCameraRecording`` for events: on a file with a few flipped bytes
inside packets, dv-processing 2.0.4 spins for > 10 s in C++ (measured; a Python thread
cannot interrupt it), and a truncated file raises only "FileDataTable set but not
present". The format is simple (iniVation's AEDAT 4.0 spec), so events are read here
with every length field checked against the file size: magic, ``IOHE`` header flatbuffer,
a walk over the ``(stream id, size)`` packet headers, then per packet an LZ4/ZSTD frame
(decompressed with an output cap) holding a size-prefixed ``EVTS`` flatbuffer of 16-byte
dv events, converted to :data:`EVENT_DTYPE` by a numba kernel. APS frames (``FRME``
packets, one size-prefixed dv ``Frame`` flatbuffer each) are parsed the same bounded way
(:meth:`Aedat4FileSource.read_frames`; one smaller than the sensor, DV's APS region of
interest, placed at its position): dv-processing spun for over a minute on a frame
packet with three flipped header bytes, and the viewer reads them at open. IMU samples and
triggers too (:meth:`Aedat4FileSource.read_imu`): dv-processing, used for them before, opens
the path again (a recording rotated since gave another file's) and refused a recording
still being copied ("FileDataTable set but not present").

Reading: plain positioned reads, no ``mmap``: a mapped file truncated under the reader
(a recorder rewriting it) killed the process with SIGBUS; now the read that comes up short
raises :class:`InputError` after the batches already returned (see
:class:`~evfocus_live.sources.fileio.FileReader`).

Speed: the first ``INLINE_BYTES`` of event packets are decoded in the reading thread, LZ4
ones block by block into a reused buffer (:func:`lz4_frame_into`; a frame it does not take
for plain goes to ``lz4.frame`` as before); the rest on two prefetch threads (``lz4.frame``
and numba release the GIL), ahead of the consumer; a numba kernel converts the events.
ZSTD packets are decompressed into a fresh buffer each: a reused decompressor and buffer
(``stream_reader(...).readinto``) read a 2.35 M-event ZSTD file dv-processing wrote only 1.08x
faster (its ~9 k-event packets; 1.01x with 100 k-event ones), not worth a second fast path.
Seeking uses the file's ``FTAB`` packet index when it matches the packets walked, else
decodes the packets' times once.

Damage policy: a file cut short (packet chain running past the end, or the index
missing) yields the events before the cut with a warning, as does a file whose last packet
is cut short before a readable index that lists no packet after it (a writer that crashed
mid-packet, then wrote its index: dv reads those through the index); a corrupt packet in
the middle raises :class:`InputError` naming its offset (kept in :attr:`~Aedat4FileSource.stats`:
``evfocus info`` describes the events before it), as does a file with no event packets.
"""

from __future__ import annotations

import collections
import importlib.util
import logging
import struct
import threading
import xml.etree.ElementTree as ET
from array import array
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numba
import numpy as np

from ..core.slicing import RESTART_BACK_US, RESTARTS_CLOSE_MAX
from ..errors import InputError, first_line
from ..events import EVENT_DTYPE
from ..versions import VERSION_KEY
from .base import EventSource, check_sensor_size, run_in_callers_context, say_clock_reset, seek_clock
from .corrupt_times import edge_context, implausible_times
from .fileio import FileReader

log = logging.getLogger(__name__)

MAGIC = b"#!AER-DAT4.0\r\n"

MAX_BATCH_EVENTS = 1 << 20
#: the first event packets up to this many (compressed) bytes are decoded in the reading
#: thread, the rest on the prefetch threads (see :class:`Prefetcher`): ~4 M events, a few
#: seconds of a busy DAVIS346. On this project's busy 2-core machine the reading thread
#: alone was faster at every size measured (1.2, 15, 155 MB); the threads are kept for long
#: recordings, where on idle cores they decode ahead of a consumer busy with a model
INLINE_BYTES = 32 << 20
#: LZ4 and ZSTD cannot expand data by more than ~255x; anything claiming more is corrupt
MAX_EXPANSION = 256
#: APS frames kept in memory for :meth:`Aedat4FileSource.aps_frames` (~5900 DAVIS346 frames,
#: ~4 min at 25 fps); later ones are left out with a warning
MAX_APS_BYTES = 512 << 20
#: the grey of the sensor outside an APS frame smaller than it (DV's APS region of interest):
#: black, as no light measured there, and unlike the mid grey of a reconstruction's empty parts
APS_FILL = 0
#: a thread's LZ4 buffer (:func:`lz4_frame_into`) is kept for its next packet up to this size
SCRATCH_KEEP_BYTES = 16 << 20
_NO_SCRATCH = np.empty(0, np.uint8)
_COMPRESSIONS = {0: "none", 1: "lz4", 2: "lz4", 3: "zstd", 4: "zstd"}
#: dv ``FrameFormat`` (OpenCV CV_8UCx) -> channels: GRAY, BGR, BGRA
_FRAME_CHANNELS = {0: 1, 16: 3, 24: 4}


class PacketDamage(InputError):
    """A packet whose bytes do not decode (not a file cut or shrunk under the reader): where
    reading stopped goes into :attr:`Aedat4FileSource.stats`."""


@numba.njit(nogil=True, cache=True)
def _unpack_dv(src, dst, n, width, height, jump_us):
    """16-byte dv events -> 13-byte EVENT_DTYPE records, dropping out-of-sensor ones; (events
    kept, steps over ``jump_us`` either way between kept events' times: 0 in a sound packet)."""
    m = 0
    jumps = 0
    prev = 0.0
    for i in range(n):
        s = i * 16
        x = np.int64(src[s + 8]) | (np.int64(src[s + 9]) << 8)
        y = np.int64(src[s + 10]) | (np.int64(src[s + 11]) << 8)
        if x >= width or y >= height:  # also catches negative int16 (>= 32768)
            continue
        t = np.int64(0)
        for k in range(8):
            t |= np.int64(src[s + k]) << (8 * k)
        if m and abs(float(t) - prev) > jump_us:  # (float: garbage times overflow an int64 difference)
            jumps += 1
        prev = float(t)
        d = m * 13
        for k in range(12):
            dst[d + k] = src[s + k]
        dst[d + 12] = 1 if src[s + 12] != 0 else 0
        m += 1
    return m, jumps


def _grey(img: np.ndarray) -> np.ndarray:
    """A dv frame as an owned HxW uint8 array (BGR and BGRA frames of colour DAVIS turned grey)."""
    if img.ndim == 3 and img.shape[2] in (3, 4):
        import cv2

        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY if img.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    img = img.reshape(img.shape[:2])
    if img.dtype != np.uint8:  # (dv frames are 8-bit; a wider one keeps its top byte)
        img = (img.astype(np.uint64) >> (8 * (img.dtype.itemsize - 1))).astype(np.uint8)
    return np.ascontiguousarray(img).copy()


def aps_fits(x: int, y: int, w: int, h: int, width: int, height: int) -> bool:
    """Whether a ``w`` x ``h`` APS frame at ``(x, y)`` lies inside the ``width`` x ``height`` sensor."""
    return x >= 0 and y >= 0 and x + w <= width and y + h <= height


def place_aps(img: np.ndarray, x: int, y: int, width: int, height: int) -> np.ndarray:
    """An APS frame smaller than the sensor (DV's APS region of interest) at its position
    ``(x, y)`` on a sensor-sized ``APS_FILL`` frame (it must fit: :func:`aps_fits`); a
    sensor-sized one as it is."""
    h, w = img.shape[:2]
    if (x, y, w, h) == (0, 0, width, height):
        return img
    placed = np.full((height, width), APS_FILL, np.uint8)
    placed[y:y + h, x:x + w] = img
    return placed


class Prefetcher:
    """Compute ``fn(k)`` for ``k = k0, k0+1, ... < n`` up to ``depth`` items ahead on a
    small thread pool, handing results back in order.

    Why: decompression (lz4, HDF5 filters) and the numba packers release the GIL, so
    decoding the next packets overlaps with the consumer and with each other; on two
    cores this hides the conversion cost of our dtype (bench/bench_read.py).
    ``fn`` must be safe to call from several threads at once. Exceptions surface, in
    order, from :meth:`get`.

    ``inline``: the first that many results are computed in :meth:`get` itself, without
    the pool: starting its threads and handing each result over cost more than decoding a
    short recording (the 1.2 MB DAVIS346 file: 3.7x dv-processing's time with the pool, 2.9x
    inline, before :func:`lz4_frame_into`; medians on a busy 2-core machine).
    ``initializer``: called first on each pool thread.
    Each call of ``fn`` runs in the context of the :meth:`get` that asked for it, so a read
    inside :func:`~evfocus_live.sources.base.readers_quiet` is quiet on the pool threads too.
    """

    def __init__(self, fn, n: int, depth: int = 4, workers: int = 2, name: str = "prefetch",
                 inline: int = 0, initializer=None):
        self._fn, self._n, self._depth, self._workers, self._name = fn, n, depth, workers, name
        self._initializer = initializer
        self._pool: ThreadPoolExecutor | None = None
        self._q: collections.deque = collections.deque()
        self._next = 0
        self._inline = inline

    def reset(self, k: int) -> None:
        """Drop pending work; the next :meth:`get` returns ``fn(k)``."""
        for f in self._q:
            f.cancel()
        self._q.clear()
        self._next = k

    def get(self):
        """The next result, or ``None`` past the end."""
        if self._inline > 0 and not self._q and self._next < self._n:
            self._inline -= 1
            self._next += 1
            return self._fn(self._next - 1)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix=self._name,
                                            initializer=self._initializer)
        while len(self._q) < self._depth and self._next < self._n:
            self._q.append(run_in_callers_context(self._pool.submit, self._fn, self._next))
            self._next += 1
        if not self._q:
            return None
        return self._q.popleft().result()

    def close(self) -> None:
        """Cancel pending work and wait for running calls (safe to call twice)."""
        self.reset(self._n)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def lz4_frame_content_size(payload: bytes) -> int | None:
    """The decompressed size an LZ4 frame header declares (None if it declares none)."""
    if len(payload) < 7 or payload[:4] != b"\x04\x22\x4d\x18":
        raise ValueError("not an LZ4 frame")
    if payload[4] & 0x08:
        if len(payload) < 14:
            raise ValueError("short LZ4 frame header")
        return struct.unpack_from("<Q", payload, 6)[0]
    return None


_XXH_P1, _XXH_P2, _XXH_P3, _XXH_P4, _XXH_P5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
_M32 = 0xFFFFFFFF


def _xxh32_short(data: bytes) -> int:
    """xxHash32 (seed 0) of fewer than 16 bytes: an LZ4 frame descriptor's header checksum."""
    h = (_XXH_P5 + len(data)) & _M32
    i = 0
    while i + 4 <= len(data):
        h = (h + int.from_bytes(data[i:i + 4], "little") * _XXH_P3) & _M32
        h = (((h << 17) | (h >> 15)) & _M32) * _XXH_P4 & _M32
        i += 4
    for b in data[i:]:
        h = (h + b * _XXH_P5) & _M32
        h = (((h << 11) | (h >> 21)) & _M32) * _XXH_P1 & _M32
    h ^= h >> 15
    h = h * _XXH_P2 & _M32
    h ^= h >> 13
    h = h * _XXH_P3 & _M32
    return h ^ (h >> 16)


def lz4_frame_into(payload: bytes, scratch: np.ndarray, cap: int) -> tuple[np.ndarray, int] | None:
    """Decompress the LZ4 frame ``payload`` into ``scratch`` (uint8, grown if short; the
    caller's, reused), block by block: ``(buffer, size)``, or None whenever the frame is
    anything but a plain well-formed one (checksums asked for, a dictionary id, a bad header
    checksum, a block that does not decode, data after the end mark, a declared size not
    met, more than ``cap`` bytes): the caller then decodes it with ``lz4.frame``, which
    decides (the result, or the error) exactly as before.

    Why: ``lz4.frame.decompress`` returns a fresh buffer each packet (~150 KB for dv's
    10 ms packets: freshly mapped pages each time) and, for dv's frames that declare no
    size, grows it as it goes; decoding into a reused buffer took half the time (bench)."""
    import lz4.block

    size = len(payload)
    if size < 7 or payload[:4] != b"\x04\x22\x4d\x18":
        return None
    flg, bd = payload[4], payload[5]
    # version 01; no block checksums, content checksum, dictionary id; reserved bits 0
    if flg & 0xC0 != 0x40 or flg & 0x17 or bd & 0x8F or bd >> 4 < 4:
        return None
    pos = 6 + (8 if flg & 0x08 else 0)
    if pos + 1 > size or _xxh32_short(payload[4:pos]) >> 8 & 0xFF != payload[pos]:
        return None
    declared = int.from_bytes(payload[6:14], "little") if flg & 0x08 else None
    if declared is not None and declared > cap:
        return None
    pos += 1
    block_max = 1 << (8 + 2 * (bd >> 4))
    linked = not flg & 0x20
    mv = memoryview(payload)
    out = 0
    try:
        while True:
            if pos + 4 > size:
                return None
            word = int.from_bytes(payload[pos:pos + 4], "little")
            pos += 4
            if word == 0:
                break
            n = word & 0x7FFFFFFF
            if n > block_max or pos + n > size:
                return None
            if out > cap:
                return None
            if out + block_max > len(scratch):
                grown = np.empty(max(2 * len(scratch), out + block_max), np.uint8)
                grown[:out] = scratch[:out]
                scratch = grown
            if word >> 31:  # an uncompressed block
                scratch[out:out + n] = np.frombuffer(mv[pos:pos + n], np.uint8)
                out += n
            else:
                if linked and out:  # (its matches may reach into the 64 KiB decoded before it)
                    d = lz4.block.decompress(mv[pos:pos + n], uncompressed_size=block_max,
                                             dict=scratch[max(0, out - 65536):out])
                else:
                    d = lz4.block.decompress(mv[pos:pos + n], uncompressed_size=block_max)
                scratch[out:out + len(d)] = np.frombuffer(d, np.uint8)
                out += len(d)
            pos += n
    except lz4.block.LZ4BlockError:
        return None
    if pos != size or out > cap or (declared is not None and out != declared):
        return None
    return scratch, out


@dataclass
class Stream:
    id: int
    type: str
    name: str
    width: int
    height: int
    source: str
    #: the evfocus-live that wrote the file (its recordings and simulated sequences), "" for others
    writer_version: str = ""


def _u32(buf, off: int) -> int:
    if off < 0 or off + 4 > len(buf):
        raise ValueError("offset out of range")
    return struct.unpack_from("<I", buf, off)[0]


def _table_fields(buf, table: int) -> tuple[int, list[int]]:
    """(table position, field offsets from its vtable) of a flatbuffer table, bounds-checked."""
    if table < 0 or table + 4 > len(buf):
        raise ValueError("table out of range")
    vt = table - struct.unpack_from("<i", buf, table)[0]
    if vt < 0 or vt + 4 > len(buf):
        raise ValueError("vtable out of range")
    vsize, _ = struct.unpack_from("<HH", buf, vt)
    if vsize < 4 or vt + vsize > len(buf):
        raise ValueError("vtable size out of range")
    return table, list(struct.unpack_from(f"<{(vsize - 4) // 2}H", buf, vt + 4))


def _root_table(buf) -> tuple[memoryview, int, list[int]]:
    """(flatbuffer, root table position, its field offsets) of a packet's size-prefixed dv
    flatbuffer (every packet type: events, frames, IMU, triggers), bounds-checked (ValueError)."""
    if _u32(buf, 0) + 4 > len(buf):
        raise ValueError("size prefix")
    fb = memoryview(buf)[4:]
    table, fo = _table_fields(fb, _u32(fb, 0))
    return fb, table, fo


def parse_io_header(buf: bytes) -> tuple[int, int, str]:
    """(compression, data table position, info XML) from the ``IOHE`` flatbuffer."""
    table, fo = _table_fields(buf, _u32(buf, 0))
    fo += [0] * (3 - len(fo))
    compression = struct.unpack_from("<i", buf, table + fo[0])[0] if fo[0] else 0
    dtp = struct.unpack_from("<q", buf, table + fo[1])[0] if fo[1] else -1
    if not fo[2]:
        raise ValueError("no info node")
    s = table + fo[2] + _u32(buf, table + fo[2])
    n = _u32(buf, s)
    if s + 4 + n > len(buf):
        raise ValueError("info string out of range")
    return compression, dtp, bytes(buf[s + 4:s + 4 + n]).decode("utf-8", "replace")


def parse_streams(xml: str) -> dict[int, Stream]:
    """Stream id -> Stream from the header XML (``outInfo/<id>`` nodes)."""
    root = ET.fromstring(xml)
    out = {}
    for node in root.iter("node"):
        attrs = {a.get("key"): (a.text or "") for a in node.findall("attr")}
        if "typeIdentifier" not in attrs or not node.get("name", "").isdigit():
            continue
        info = node.find("node[@name='info']")
        iattrs = {a.get("key"): (a.text or "") for a in info.findall("attr")} if info is not None else {}
        sid = int(node.get("name"))
        out[sid] = Stream(sid, attrs["typeIdentifier"], attrs.get("originalOutputName", ""),
                          int(iattrs.get("sizeX", 0) or 0), int(iattrs.get("sizeY", 0) or 0),
                          iattrs.get("source", ""), attrs.get(VERSION_KEY, ""))
    return out


def _clock_starts(lo: np.ndarray, hi: np.ndarray, chunk: int = 1024) -> list[int]:
    """Where new clocks begin in a run of time spans ``(lo, hi)``: at each span that begins over
    ``RESTART_BACK_US`` before the latest time since the last clock began. Scanned in growing chunks
    (vectorised: an hour of dv packets is ~360 k spans), each clock from its start, so O(spans)."""
    starts, s, n = [0], 0, len(lo)
    while True:
        top, j0, step, found = np.iinfo(np.int64).min, s + 1, chunk, None
        while j0 < n and found is None:
            j1 = min(n, j0 + step)
            run = np.maximum(np.maximum.accumulate(hi[j0 - 1:j1 - 1]), top)  # max(hi[s:j]) for j in [j0, j1)
            back = np.flatnonzero(lo[j0:j1] < run - RESTART_BACK_US)
            if len(back):
                found = j0 + int(back[0])
            top, j0, step = int(run[-1]), j1, 2 * step
        if found is None:
            return starts
        starts.append(found)
        s = found


@dataclass
class _PacketClocks:
    """A file's clocks (see ``Aedat4FileSource._packet_clocks``): per event packet, the clock of
    its first events and of its last (they differ where a restart is inside it), the last time
    of each part, and the events before the last part; each clock's ``(first, last)`` t_us."""

    first: np.ndarray
    last: np.ndarray
    first_hi: np.ndarray
    last_hi: np.ndarray
    skip: np.ndarray
    spans: list[tuple[int, int]]


class Aedat4FileSource(EventSource):
    """An iniVation AEDAT 4.0 recording (DV software, dv-processing, faery, our writer).

    Events are read by a bounded pure-numpy/LZ4 parser (see module docstring), in the
    file's packets (dv writes ~10 ms each; at most 1 M events per batch). Timestamps are
    passed through as recorded (DV: µs on an epoch-like clock; sorted in practice).

    Parameters:
        path: the ``.aedat4`` file.

    Example::

        src = Aedat4FileSource("davis.aedat4")   # src.sensor == "DAVIS346_00000104"
        src.seek(src.time_range_us()[0] + 50_000)
        batch = src.read()
        frames = src.read_frames()             # [(t_us, HxW uint8), ...] if recorded
    """

    extensions: ClassVar[tuple[str, ...]] = (".aedat4",)
    format = "aedat4"
    @property
    def warns_clock_resets(self) -> bool:
        """Whether :meth:`read` says a camera clock restart it meets (as the RAW reader a reset):
        the pipeline then does not say the slicer's restart there again. Not once the file's
        clocks could not be found (a damaged packet in a file without an index)."""
        return not self._clocks_unknown

    @classmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        return head.startswith(MAGIC)

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._file: FileReader | None = None
        #: held by a walk over the APS frames; ``_closing`` asks it to stop (see close())
        self._aps_lock = threading.RLock()
        self._closing = False
        self._aps_regions: dict[int, tuple[int, int, int, int]] = {}  # see aps_region()
        self._aps_times: np.ndarray | None = None  # aps_times_us() before the frames are read
        self._aps_outside_warned = False
        self._warned_resets: set[int] = set()  # bytes of the clock restarts said (once each, replays included)
        self._clocks_unknown = False  # (see warns_clock_resets)
        try:
            self._fh = open(self.path, "rb")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot open ({exc.strerror})") from exc
        try:
            self._open()
        except InputError:
            self.close()
            raise
        except (ValueError, struct.error, ET.ParseError, KeyError) as exc:
            self.close()
            raise InputError(f"{self.path}: corrupt AEDAT4 header ({exc})") from None

    # --- layout ---------------------------------------------------------------------
    def _open(self) -> None:
        # the size of the file opened (fstat), not of whatever the path names by now
        self._file = FileReader(self._fh, self.path)
        size = self._size = self._file.size
        if size < len(MAGIC) + 4:
            raise InputError(f"{self.path}: AEDAT4 file is truncated (no header)")
        head = self._file.read(0, len(MAGIC) + 4)
        if head[:len(MAGIC)] != MAGIC:
            raise InputError(f"{self.path}: not an AEDAT 4.0 file")
        hlen = struct.unpack_from("<I", head, len(MAGIC))[0]
        hstart = len(MAGIC) + 4
        if hstart + hlen > size:
            raise InputError(f"{self.path}: AEDAT4 file is truncated inside its header")
        compression, dtp, xml = parse_io_header(self._file.read(hstart, hlen))
        if compression not in _COMPRESSIONS:
            raise InputError(f"{self.path}: unknown AEDAT4 compression {compression}")
        self.compression = _COMPRESSIONS[compression]
        # a missing decompressor is said here, in one line: met at the first packet, it read as
        # "corrupt AEDAT4 packet (ModuleNotFoundError)" and the index as damaged
        module = {"lz4": "lz4", "zstd": "zstandard"}.get(self.compression)
        if module is not None and importlib.util.find_spec(module) is None:
            raise InputError(f"{self.path}: {self.compression.upper()}-compressed AEDAT4 needs the '{module}' "
                             f"package (pip install {module})")
        self.streams = parse_streams(xml)
        ev_streams = [s for s in self.streams.values() if s.type == "EVTS"]
        if not ev_streams:
            raise InputError(f"{self.path}: AEDAT4 file has no event stream")
        st = next((s for s in ev_streams if s.name == "events"), ev_streams[0])
        self._sid = st.id
        fr_streams = [s for s in self.streams.values() if s.type == "FRME"]
        fst = next((s for s in fr_streams if s.name == "frames"), fr_streams[0] if fr_streams else None)
        self._frame_sid = fst.id if fst is not None else None
        #: (payload offset, size) of every APS frame packet, found in the same walk as the events'
        self._frame_packets: list[tuple[int, int]] = []
        #: stream id -> (payload offset, size) of each of its packets, flat: IMU and trigger packets
        #: come ~200 a second, as Python tuples ~120 bytes each (~80 MB an hour), 16 bytes here
        self._other_packets: dict[int, array] = {}
        self.width, self.height = check_sensor_size(self.path, st.width, st.height,
                                                    "in the event stream header")
        self.sensor = st.source or "unknown"
        self.evfocus_version = st.writer_version or None  # (evfocus info says which evfocus-live wrote it)
        limit = size
        self.truncated = False
        indexed = False  # the packet index is there: the chain must end exactly at it
        if dtp >= 0:
            if dtp > size or dtp < hstart + hlen:  # the index was to come at the end: cut
                self.truncated = True
            else:
                limit, indexed = dtp, True
        # walk the packet chain: (offset of payload, size) of every event packet
        offs, sizes = [], []
        pos = hstart + hlen
        cut_before_index = False  # the last packet is cut short, then the index follows
        # packet headers are read through a 4 KiB window: few reads for many small packets
        # (IMU, triggers), little waste for big ones
        win_at, win = 0, b""
        while pos < limit:
            if pos + 8 > limit:
                if indexed and self._index_lists_packets_after(dtp, pos):
                    raise InputError(f"{self.path}: corrupt AEDAT4 packet chain at byte {pos}")
                self.truncated, cut_before_index = True, indexed
                break
            if not win_at <= pos <= win_at + len(win) - 8:
                win_at = pos
                win = self._file.read(pos, min(limit - pos, 4096))
            sid, psize = struct.unpack_from("<ii", win, pos - win_at)
            if psize <= 0 or pos + 8 + psize > limit or sid not in self.streams:
                if (pos + 8 + psize > limit and sid in self.streams and psize > 0
                        and not (indexed and self._index_lists_packets_after(dtp, pos))):
                    self.truncated, cut_before_index = True, indexed
                    break
                raise InputError(f"{self.path}: corrupt AEDAT4 packet header at byte {pos}")
            if sid == self._sid:
                offs.append(pos + 8)
                sizes.append(psize)
            elif sid == self._frame_sid:
                self._frame_packets.append((pos + 8, psize))
            else:  # IMU, triggers: read on demand by our parser (read_imu, read_triggers)
                self._other_packets.setdefault(sid, array("q")).extend((pos + 8, psize))
            pos += 8 + psize
        if self.truncated and not offs:  # one line, not warnings followed by "no events"
            raise InputError(f"{self.path}: AEDAT4 file is truncated at byte {pos}, before its "
                             "first complete event packet")
        if not offs:  # header (and index) only: one line, as for an empty .npy or .h5
            raise InputError(f"{self.path}: contains no events (no event packets)")
        #: where the file was cut short (a recorder stopped mid-write, a copy cut), else None
        self.truncated_at_byte: int | None = pos if self.truncated else None
        if cut_before_index:
            log.warning("%s: last packet is truncated at byte %d, before the packet index; "
                        "reading the %d complete event packets", self.path.name, pos, len(offs))
        elif self.truncated:
            log.warning("%s: file is truncated at byte %d (no packet index); reading the %d "
                        "complete event packets", self.path.name, pos, len(offs))
        self._offs = np.array(offs, dtype=np.int64)
        self._sizes = np.array(sizes, dtype=np.int64)
        self._t_ranges: np.ndarray | None = None  # per packet (t_first, t_last), lazily
        self._clock_of: _PacketClocks | None = None  # the file's clocks, lazily
        self._dtp = dtp if (0 <= dtp < size and (cut_before_index or not self.truncated)) else -1
        # out-of-sensor events in the packets read: the first packet's are logged, the rest
        # summed at the end of the stream (a wrong sensor size in the header would otherwise
        # log a line for every packet, ~100 per second of recording)
        self._dropped = self._dropped_logged = 0
        self._drops_summed = False
        # events left out for times no camera wrote (implausible_times), said as the drops are
        self._bad_times = self._bad_times_logged = 0
        self._index_tr: np.ndarray | None | bool = False  # (see _index_ranges: False, not read yet)
        self._aps: list[tuple[int, np.ndarray]] | None = None  # read once, by aps_frames()
        self._chain_end = pos  # where the walk of the packets ended (the index, or the file's end)
        #: (payload offset, why, events before it or None) of the first packet that failed to
        #: decode, once met: ``evfocus info`` says where reading stopped, as for a damaged RAW
        self._damage: tuple[int, str, int | None] | None = None
        self._tls = threading.local()  # per decoding thread: its LZ4 buffer, a prefetch thread's mark
        inline = int(np.searchsorted(np.cumsum(self._sizes), INLINE_BYTES, side="right"))
        self._prefetch = Prefetcher(self._packet_events, len(self._offs), name="aedat4", inline=inline,
                                    initializer=self._on_prefetch_thread)
        self._rewind(0)

    # --- packets ----------------------------------------------------------------------
    def _decompress(self, k: int) -> bytes:
        return self._decompress_at(int(self._offs[k]), int(self._sizes[k]))

    def _decompress_at(self, off: int, n: int) -> bytes:
        return self._decompress_payload(self._file.read(off, n), off, n)  # (a file cut: InputError)

    def _decompress_payload(self, payload: bytes, off: int, n: int) -> bytes:
        cap = MAX_EXPANSION * n + 4096
        try:
            if self.compression == "lz4":
                import lz4.frame
                # one-shot decompression is ~1.5x faster than the streaming object; it
                # only preallocates what the frame header declares, so check that first
                declared = lz4_frame_content_size(payload)
                if declared is not None and declared > cap:
                    raise ValueError("LZ4 frame declares an impossible size")
                return lz4.frame.decompress(payload)
            if self.compression == "zstd":
                import zstandard  # a decompressor object per call: they are not thread-safe
                return zstandard.ZstdDecompressor().decompress(payload, max_output_size=cap)
            return payload
        except Exception as exc:
            raise PacketDamage(f"{self.path}: corrupt AEDAT4 packet at byte {off} "
                             f"({type(exc).__name__})") from None

    def _on_prefetch_thread(self) -> None:
        self._tls.prefetch = True

    def _event_payload(self, k: int):
        """Packet ``k`` decompressed: LZ4 into this thread's reused buffer (see
        :func:`lz4_frame_into`; valid until this thread's next call), else as
        :meth:`_decompress_at`.

        Not so on the prefetch threads: its ~3 GIL releases a packet (one per 64 KiB block)
        made them wait on each other and on the consumer for the GIL, slower in all than
        ``lz4.frame``'s one release (a 20 M-event file: 1.6x dv's time against 1.4x)."""
        tls = self._tls
        if self.compression != "lz4" or getattr(tls, "prefetch", False):
            return self._decompress(k)
        off, n = int(self._offs[k]), int(self._sizes[k])
        payload = self._file.read(off, n)  # (a file cut since opening: InputError)
        got = lz4_frame_into(payload, getattr(tls, "scratch", _NO_SCRATCH), MAX_EXPANSION * n + 4096)
        if got is None:  # (not a plain frame: lz4.frame decides, as it did before)
            return self._decompress_payload(payload, off, n)
        buf, used = got
        tls.scratch = buf if len(buf) <= SCRATCH_KEEP_BYTES else _NO_SCRATCH  # (memory stays bounded)
        return memoryview(buf)[:used]

    def _packet_events(self, k: int) -> tuple[np.ndarray, int, int]:
        """(events inside the sensor with times a camera wrote, number dropped outside it,
        number left out for their times: :func:`implausible_times`) of packet ``k``."""
        buf = self._event_payload(k)
        try:
            fb, table, fo = _root_table(buf)
            if not fo or not fo[0]:  # (no elements vector: a legal empty packet; this returned
                return np.empty(0, EVENT_DTYPE), 0, 0  # 2 values, and read()'s unpacking raised)
            vec = table + fo[0] + _u32(fb, table + fo[0])
            n = _u32(fb, vec)
            if vec + 4 + 16 * n > len(fb):
                raise ValueError("event vector out of range")
        except (ValueError, struct.error) as exc:
            raise PacketDamage(f"{self.path}: corrupt AEDAT4 event packet at byte "
                             f"{int(self._offs[k])} ({exc})") from None
        src = np.frombuffer(fb, dtype=np.uint8, count=16 * n, offset=vec + 4)
        out = np.empty(n, dtype=EVENT_DTYPE)
        m, jumps = _unpack_dv(src, out.view(np.uint8), n, self.width, self.height, RESTART_BACK_US)
        out = out[:m] if m < n else out
        if not jumps:
            return out, n - m, 0
        tr = self._index_ranges()
        if tr is None:  # (no index: a packet's first or last events far away, as a file's, are a run away)
            bad = implausible_times(out["t"], None, RESTART_BACK_US, *edge_context(out["t"], None, None))
        else:
            bad = implausible_times(out["t"], (int(tr[k, 0]), int(tr[k, 1])))
        return (out[~bad] if bad.any() else out), n - m, int(np.count_nonzero(bad))

    def _index_ranges(self) -> np.ndarray | None:
        """The index's (first, last) t per event packet (:meth:`_index_time_ranges`, read once), or None."""
        if self._index_tr is False:
            self._index_tr = self._index_time_ranges()
        return self._index_tr

    def _packet_frame(self, off: int, n: int, pixels: bool = True
                      ) -> tuple[int, tuple[int, int, int, int], np.ndarray | None]:
        """(t_us, (x, y, w, h) the frame covers on the sensor, HxW uint8 grey image) of the
        ``FRME`` packet at ``off``: a size-prefixed dv ``Frame`` flatbuffer (timestamp, start/end
        of frame, start/end of exposure, format, sizeX, sizeY, positionX, positionY, pixels, ...:
        dv-processing's field order, checked against its writer), every field checked against
        the buffer; ``t_us`` is the start of exposure (dv-processing's); colour frames are turned
        grey. ``pixels=False``: the same checks, no image (None): the times of the frames
        :meth:`aps_frames` keeps, without copying 512 MiB of them."""
        buf = self._decompress_at(off, n)
        try:
            fb, table, fo = _root_table(buf)
            fo += [0] * (11 - len(fo))
            t_us = self._frame_t(fb, table, fo)
            fmt = struct.unpack_from("<b", fb, table + fo[5])[0] if fo[5] else 0
            # size and position (DV's APS region of interest: a frame smaller than the sensor)
            w, h, x, y = (struct.unpack_from("<h", fb, table + fo[i])[0] if fo[i] else 0 for i in (6, 7, 8, 9))
            channels = _FRAME_CHANNELS.get(fmt)
            if channels is None:
                raise ValueError(f"unknown pixel format {fmt}")
            check_sensor_size(self.path, w, h, "in a frame")
            if not fo[10]:
                raise ValueError("no pixels")
            vec = table + fo[10] + _u32(fb, table + fo[10])
            count = _u32(fb, vec)
            if count != w * h * channels or vec + 4 + count > len(fb):
                raise ValueError(f"{count} pixel bytes for a {w}x{h}x{channels} frame")
        except (ValueError, struct.error, InputError) as exc:
            raise InputError(f"{self.path}: corrupt AEDAT4 frame packet at byte {off} "
                             f"({first_line(exc)})") from None
        if not pixels:
            return t_us, (x, y, w, h), None
        img = np.frombuffer(fb, dtype=np.uint8, count=count, offset=vec + 4)
        return t_us, (x, y, w, h), _grey(img.reshape((h, w, channels) if channels > 1 else (h, w)))

    @staticmethod
    def _frame_t(fb, table: int, fo: list[int]) -> int:
        """The start of exposure, as dv-processing's ``Frame.timestamp`` (the flatbuffer's own
        "timestamp" is the exposure's midpoint: 2.4 ms later on the DAVIS346 file)."""
        k = 3 if fo[3] else 0
        return int(struct.unpack_from("<q", fb, table + fo[k])[0]) if fo[k] else 0

    def _frame_time(self, off: int, n: int) -> int:
        """The time of the frame packet at ``off`` alone (``evfocus info``: no other check)."""
        buf = self._decompress_at(off, n)
        try:
            fb, table, fo = _root_table(buf)
            return self._frame_t(fb, table, fo + [0] * (4 - len(fo)))
        except (ValueError, struct.error) as exc:
            raise InputError(f"{self.path}: corrupt AEDAT4 frame packet at byte {off} "
                             f"({first_line(exc)})") from None

    def _rewind(self, k: int, drop_before: int | None = None, skip: int = 0, drop_in: int | None = None) -> None:
        """Read from packet ``k`` on: its first ``skip`` events left out (those before a clock
        restart inside it), then events before ``drop_before`` until one is not; with ``drop_in``,
        only among the packet's first ``drop_in`` events (those after a restart inside it are of
        another clock: earlier times, not to be dropped)."""
        self._prefetch.reset(k)
        self._pending: np.ndarray | None = None
        self._drop_before = drop_before
        self._skip = skip
        self._drop_in = drop_in
        self._k = k  # the packet the next prefetch result is
        self._at = k  # the packet read last (or to be read first): its clock is the one played
        # events handed out since the file's start (None after a seek: not from the start)
        self._decoded: int | None = 0 if k == 0 and drop_before is None else None
        self._read_prev: int | None = None  # the packet read before (None: none since this rewind)
        self._t_reached: int | None = None  # the latest time read on the clock being read
        self._rewound_at = (k, skip)
        self._resets_read = 0  # clock restarts met since this rewind (see stats)

    def read(self) -> np.ndarray | None:
        if self._file is None:
            return None
        while self._pending is None or not len(self._pending):
            try:
                got = self._prefetch.get()
            except PacketDamage as exc:
                self._note_damage(exc)
                raise
            self._k += 1
            if got is None:
                # (the stream's first end only: a looping replay said "N more" at each pass's)
                if self._dropped > self._dropped_logged and not self._drops_summed:
                    log.warning("%s: dropped %d more event(s) outside the %dx%d sensor",
                                self.path.name, self._dropped - self._dropped_logged,
                                self.width, self.height)
                    self._dropped_logged = self._dropped
                if self._bad_times > self._bad_times_logged and not self._drops_summed:
                    log.warning("%s: left out %d more event(s) with corrupt times", self.path.name,
                                self._bad_times - self._bad_times_logged)
                    self._bad_times_logged = self._bad_times
                self._drops_summed = True
                return None
            ev, dropped, bad = got
            if bad:
                if not self._bad_times:
                    log.warning("%s: %d event(s) in the packet at byte %d have times over %g s away from "
                                "the packet's (corrupt data?): left out (later ones are summed at the end)",
                                self.path.name, bad, int(self._offs[self._k - 1]), RESTART_BACK_US / 1e6)
                    self._bad_times_logged = bad
                self._bad_times += bad
            self._at = self._k - 1
            self._follow_clock(self._at, ev["t"], self._skip)
            if self._skip:
                ev, self._skip = ev[self._skip:], 0
            if dropped:
                if not self._dropped:
                    log.warning("%s: dropped %d event(s) outside the %dx%d sensor (later ones "
                                "are summed at the end)", self.path.name, dropped, self.width,
                                self.height)
                    self._dropped_logged = dropped
                self._dropped += dropped
            if self._drop_before is not None:
                if self._drop_in is None:
                    ev = ev[ev["t"] >= self._drop_before]
                else:
                    keep = np.ones(len(ev), dtype=bool)
                    keep[:self._drop_in] = ev["t"][:self._drop_in] >= self._drop_before
                    ev, self._drop_in = ev[keep], None
                if len(ev):
                    self._drop_before = None
            self._pending = ev
        out, rest = self._pending[:MAX_BATCH_EVENTS], self._pending[MAX_BATCH_EVENTS:]
        self._pending = rest if len(rest) else None
        if self._decoded is not None:
            self._decoded += len(out)
        return out

    def _follow_clock(self, k: int, t: np.ndarray, skip: int) -> None:
        """Say a camera clock restart that packet ``k`` (its events' times ``t``, the first ``skip``
        not read) brings, as the RAW reader says a reset (:func:`~.base.say_clock_reset`): the
        viewer's user saw the time jump back with the slicer's guess only. A cheap test on every
        packet: its first and last times (the index's, which :meth:`clocks` goes by; its least and
        greatest where they are over ``RESTART_BACK_US`` apart, as there) go back over that from the
        latest so far; only then the file's clocks (:meth:`_packet_clocks`, :meth:`clocks`' and
        :meth:`seek`'s rule: shuffled rows go back too, on one clock) say whether one begins here,
        at the packet's start or inside it. (A min and max of every packet cost ~10% of reading.)"""
        prev, self._read_prev = self._read_prev, k
        t = t[skip:]
        if not len(t):
            return
        reached, first = self._t_reached, int(t[0])
        lo, hi = sorted((first, int(t[-1])))
        if hi - lo > RESTART_BACK_US:
            lo, hi = int(t.min()), int(t.max())
        top = first if reached is None else max(reached, first)
        self._t_reached = max(top, hi)
        if lo >= top - RESTART_BACK_US:
            return
        try:
            pc = self._packet_clocks()
        except InputError as exc:  # (a file without an index, a packet that does not decode)
            log.debug("%s: clocks not found (%s); the slicer says a restart", self.path.name, exc)
            self._clocks_unknown = True
            return
        if not skip and pc.first[k] != pc.last[k]:  # (inside the packet: its events from skip[k] on)
            j = int(pc.skip[k])
            back_us = max(top, int(t[:j].max())) - int(t[j])
            self._t_reached = int(t[j:].max())
        elif prev is not None and pc.first[k] != pc.last[prev]:  # (at its start)
            back_us = top - first
            self._t_reached = hi
        else:
            return
        self._resets_read += 1
        say_clock_reset(self._warned_resets, self.path.name, int(self._offs[k]) - 8, back_us,
                        "the packets after it step on from the new time")

    def _note_damage(self, exc: PacketDamage) -> None:
        """Keep where reading stopped (packet ``self._k`` failed) for :attr:`stats`; a pass
        from the file's start has the say on the events before it (a seek's pass cannot)."""
        if self._k >= len(self._offs) or (self._damage is not None and self._damage[2] is not None):
            return
        at = int(self._offs[self._k])
        why = str(exc).removeprefix(f"{self.path}: ").replace(f" at byte {at}", "")
        self._damage = (at, why, self._decoded)

    @property
    def stats(self) -> dict[str, int | str | None]:
        """Reader counters so far (``evfocus info`` shows them): events outside the sensor;
        and where reading stopped at a packet that failed to decode, once met (else None), as
        the RAW reader's: ``damaged_at_byte`` (the packet's payload offset, as the error says),
        ``damage`` (why), ``bytes_not_decoded`` (from there to the end of the packets) and
        ``events_before_damage`` (events from the file's start up to it; None when only a pass
        that began at a seek has met it); ``clock_resets``, the camera clock restarts up to where
        reading is (as the RAW decoder's count: ``evfocus info``'s ``clock`` line);
        ``truncated_at_byte``, where a file cut short ends inside a packet (its complete packets
        are read; else None); ``corrupt_times``, events left out for times no camera wrote
        (:func:`implausible_times`)."""
        at, why, kept = self._damage if self._damage is not None else (None, None, None)
        resets, (k, skip) = self._resets_read, self._rewound_at
        if k:  # (read on from a seek's packet: the clocks before it, as the seek found them)
            pc = self._packet_clocks()
            resets += int(pc.last[min(k, len(pc.last) - 1)] if skip or k >= len(pc.last) else pc.first[k])
        return {"dropped": self._dropped, "corrupt_times": self._bad_times, "damaged_at_byte": at, "damage": why,
                "bytes_not_decoded": None if at is None else self._chain_end - at,
                "events_before_damage": kept, "clock_resets": resets,
                "truncated_at_byte": self.truncated_at_byte}

    def _index_rows(self, dtp: int) -> list[tuple[int, int, int, int, int]] | None:
        """Rows (offset, stream id, size, t_start, t_end) of the ``FTAB`` index at ``dtp``;
        None if it is damaged (bounded: every field is checked against the buffer); a file
        cut since opening raises InputError (that is no damage to fall back from)."""
        payload = self._file.read(dtp, self._size - dtp)
        try:
            cap = MAX_EXPANSION * len(payload) + 4096
            if self.compression == "lz4":
                import lz4.frame
                declared = lz4_frame_content_size(payload)
                if declared is not None and declared > cap:
                    return None
                buf = lz4.frame.decompress(payload)
            elif self.compression == "zstd":
                import zstandard
                buf = zstandard.ZstdDecompressor().decompress(payload, max_output_size=cap)
            else:
                buf = payload
            fb = memoryview(buf)[4:]
            table, fo = _table_fields(fb, _u32(fb, 0))
            vec = table + fo[0] + _u32(fb, table + fo[0])
            n = _u32(fb, vec)
            if vec + 4 + 4 * n > len(fb):
                return None
            rows = []
            for i in range(n):
                el = vec + 4 + 4 * i
                t, f = _table_fields(fb, el + _u32(fb, el))
                f += [0] * (5 - len(f))
                if not (f[0] and f[1] and f[3] and f[4]):
                    return None
                off = struct.unpack_from("<q", fb, t + f[0])[0]
                sid, size = struct.unpack_from("<ii", fb, t + f[1])
                rows.append((off, sid, size, struct.unpack_from("<q", fb, t + f[3])[0],
                             struct.unpack_from("<q", fb, t + f[4])[0]))
        except Exception:  # any damage: the callers fall back
            log.debug("%s: unusable packet index", self.path.name, exc_info=True)
            return None
        return rows

    def _index_lists_packets_after(self, dtp: int, pos: int) -> bool:
        """Whether the index lists a packet after the one whose header is at ``pos`` (or
        cannot be read): then the chain broke in the middle (corruption, data would be
        lost), not in a last packet cut short before the index was written."""
        rows = self._index_rows(dtp)
        return rows is None or any(off > pos + 8 for off, *_ in rows)

    def _index_time_ranges(self) -> np.ndarray | None:
        """Per-packet (t_start, t_end) from the file's ``FTAB`` index, if it matches the packets."""
        if self._dtp < 0:
            return None
        all_rows = self._index_rows(self._dtp)
        if all_rows is None:  # any damage: fall back to decoding the packets
            return None
        rows = {off: (size, t0, t1) for off, sid, size, t0, t1 in all_rows if sid == self._sid}
        tr = np.empty((len(self._offs), 2), dtype=np.int64)
        for k, (off, size) in enumerate(zip(self._offs.tolist(), self._sizes.tolist())):
            row = rows.get(off)
            if row is None or row[0] != size:
                return None
            tr[k] = row[1:]
        return tr

    def packet_time_ranges(self) -> np.ndarray:
        """[n_packets, 2] (min, max) t of every event packet: from the file's index when it
        matches the packets (its first and last t: dv writes each packet sorted), else by
        decoding the file once (packets without events: INT64_MIN twice)."""
        if self._t_ranges is None:
            self._t_ranges = self._index_time_ranges()
        if self._t_ranges is None:
            tr = np.zeros((len(self._offs), 2), dtype=np.int64)
            for k in range(len(self._offs)):
                t = self._packet_events(k)[0]["t"]
                tr[k] = (t.min(), t.max()) if len(t) else (np.iinfo(np.int64).min,) * 2
            self._t_ranges = tr
        return self._t_ranges

    def seek(self, t_us: int) -> None:
        """Continue from the first packet holding an event with ``t >= t_us``; in a file whose
        clock restarted (see :meth:`clocks`), on the clock :func:`~.base.seek_clock` picks, as
        the RAW reader: the one being read when it holds ``t_us``, else the first that does,
        else (a time between clocks: the viewer's slider) the nearest one, at its time nearest
        ``t_us``. Such a time went to the first packet reaching it: the file's start."""
        tr = self.packet_time_ranges()
        pc = self._packet_clocks()
        c = seek_clock(pc.spans, int(t_us), int(pc.last[min(self._at, len(pc.last) - 1)]))
        if c is None:
            hits = np.flatnonzero(tr[:, 1] >= t_us)
            self._rewind(int(hits[0]) if len(hits) else len(self._offs), int(t_us))
            return
        t_us = min(int(t_us), pc.spans[c][1])
        # (a packet the restart is in: its first events on the clock before, the rest on the next)
        hits = np.flatnonzero(((pc.first == c) & (pc.first_hi >= t_us)) | ((pc.last == c) & (pc.last_hi >= t_us)))
        k = int(hits[0]) if len(hits) else len(self._offs)
        if k < len(self._offs) and pc.first[k] != pc.last[k]:  # (a restart inside packet k)
            if pc.first[k] == c:
                self._rewind(k, t_us, drop_in=int(pc.skip[k]))
            else:
                self._rewind(k, t_us, skip=int(pc.skip[k]))
            return
        self._rewind(k, t_us)

    def _packet_clocks(self) -> _PacketClocks:
        """The file's clocks, from the packets' times (:meth:`packet_time_ranges`: the file's
        index, no decoding). A packet whose earliest time is over ``RESTART_BACK_US`` (1 s, the
        slicer's clock restart) before the latest of the clock so far begins a new clock; one
        whose times span over that (a restart inside it, or a sparse recording) is decoded, and
        split where its time goes back over 1 s. Where most packets start before the one before
        them ends (``RESTARTS_CLOSE_MAX`` at least), the time order is broken (shuffled rows,
        which the slicer takes for late events too) and no clock restarted: one clock."""
        if self._clock_of is not None:
            return self._clock_of
        tr = self.packet_time_ranges()
        lo, hi = tr.min(axis=1), tr.max(axis=1)  # (a packet's index times are inverted across a restart)
        full = np.flatnonzero(lo != np.iinfo(np.int64).min)  # (packets without events: no times)
        n = len(tr)
        pc = _PacketClocks(np.zeros(n, np.int64), np.zeros(n, np.int64), hi.copy(), hi.copy(),
                           np.zeros(n, np.int64), [])
        if not len(full):
            self._clock_of = pc
            return pc
        steps_back = int(np.count_nonzero(lo[full[1:]] < hi[full[:-1]]))
        shuffled = steps_back >= RESTARTS_CLOSE_MAX and 2 * steps_back > len(full) - 1
        if shuffled or not (lo[full[1:]] < np.maximum.accumulate(hi[full])[:-1] - RESTART_BACK_US).any():
            pc.spans.append((int(lo[full].min()), int(hi[full].max())))  # (the usual file: no loop)
            self._clock_of = pc
            return pc
        # the parts of the packets each of one clock: (packet, lo, hi, events before it in the packet)
        pk, plo, phi, pskip = full, lo[full], hi[full], np.zeros(len(full), np.int64)
        wide = np.flatnonzero(phi - plo > RESTART_BACK_US)  # (a restart inside, or a sparse recording)
        for w in wide[::-1].tolist():  # (from the end: the insertions leave the earlier places)
            t = self._packet_events(int(pk[w]))[0]["t"]
            back = np.flatnonzero(t < np.maximum.accumulate(t) - RESTART_BACK_US)
            if not len(t) or not len(back):
                continue
            j = int(back[0])
            plo[w], phi[w] = t[:j].min(), t[:j].max()
            pk, pskip = np.insert(pk, w + 1, pk[w]), np.insert(pskip, w + 1, j)
            plo, phi = np.insert(plo, w + 1, t[j:].min()), np.insert(phi, w + 1, t[j:].max())
        starts = _clock_starts(plo, phi)
        clock = np.zeros(len(pk), np.int64)
        clock[starts[1:]] = 1
        clock = np.cumsum(clock)
        pc.spans.extend(zip(np.minimum.reduceat(plo, starts).tolist(), np.maximum.reduceat(phi, starts).tolist()))
        pc.first[:] = pc.last[:] = -1
        head = pskip == 0  # (a packet's first part; its last is the one before the next packet's first)
        pc.first[pk[head]], pc.first_hi[pk[head]] = clock[head], phi[head]
        tail = np.append(head[1:], True)
        pc.last[pk[tail]], pc.last_hi[pk[tail]], pc.skip[pk[tail]] = clock[tail], phi[tail], pskip[tail]
        for of in (pc.first, pc.last):  # packets without events: the clock before them
            np.maximum(np.maximum.accumulate(of), 0, out=of)
        self._clock_of = pc
        return pc

    def clocks(self) -> list[tuple[int, int, int]]:
        """The file's clocks in file order, one ``(byte, t_first_us, t_last_us)`` each (``byte``:
        the header of its first packet), as the RAW reader's: one clock unless the camera's clock
        restarted in the recording (time back over 1 s between packets). Found from the packet
        index, as :meth:`seek`'s (no events decoded where the file has a usable index). The
        viewer's slider takes a position between two clocks to the nearest one with them."""
        pc = self._packet_clocks()
        firsts = np.flatnonzero(np.diff(pc.last, prepend=-1))
        return [(int(self._offs[k]) - 8, a, b) for k, (a, b) in zip(firsts.tolist(), pc.spans)]

    def time_range_us(self) -> tuple[int, int] | None:
        """(min t, max t) over the packets (from the index, else decoding the file once), as
        the other readers: the first and last packets' times were inverted after a camera's
        clock restart, and the viewer's seek bar and ``--start-s`` read them as the span. Over
        the clocks' spans (:meth:`clocks`): the index gives a packet's first and last time, and
        where a restart is inside a packet its earliest is neither."""
        spans = self._packet_clocks().spans
        return (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None

    # --- extra streams (IMU, triggers) ---------------------------------------------------
    def extra_streams(self) -> dict[str, int]:
        """Other streams in the file: name -> packet count (no decoding)."""
        out: dict[str, int] = {}
        for s in self.streams.values():
            if s.id != self._sid:
                out[s.name or s.type] = 0
        return out

    @property
    def has_aps(self) -> bool:
        """Whether the file holds APS frame packets (found when it was opened, no decoding), so
        the viewer can offer its APS toggle while the frames load in the background."""
        return bool(self._frame_packets)

    def read_frames(self, max_bytes: int | None = None) -> list[tuple[int, np.ndarray]]:
        """All APS frames as ``(t_us, HxW uint8 image)`` in file order (empty if the file has
        none), by our bounded parser: dv-processing spun for minutes on a frame packet with a
        few flipped header bytes. Colour frames (a colour DAVIS) are turned grey; a frame
        smaller than the sensor is placed at its position (see :meth:`aps_region`). With
        ``max_bytes`` reading stops (one warning) before the frames would hold more than that.
        A corrupt frame packet raises :class:`InputError` naming its offset."""
        out: list[tuple[int, np.ndarray]] = []
        self._collect_frames(out, max_bytes)
        return out

    def _collect_frames(self, out: list, max_bytes: int | None, max_frames: int | None = None,
                        pixels: bool = True) -> None:
        """Append the frames to ``out`` (those before a corrupt packet stay in it), the first
        ``max_frames`` only when given (the packets after them are not decompressed).

        Each frame is held sensor-sized: one of DV's APS region of interest is placed at its
        position on an ``APS_FILL`` frame (the viewer, ``--save-aps`` and ``--roi`` work in
        sensor pixels), its region noted for :meth:`aps_region`; one that does not fit the
        sensor there is left out (one warning). ``max_bytes`` counts sensor-sized frames, so
        ``pixels=False`` (times only, image None) keeps exactly the frames a read with pixels
        keeps. :meth:`close` stops the walk at the next packet (InputError), and waits for it."""
        held = 0
        size = self.width * self.height
        with self._aps_lock:
            for off, n in self._frame_packets[:max_frames]:
                if self._closing:
                    raise InputError(f"{self.path}: closed while its APS frames were read")
                t_us, (x, y, w, h), img = self._packet_frame(off, n, pixels)
                if not aps_fits(x, y, w, h, self.width, self.height):
                    if not self._aps_outside_warned:
                        self._aps_outside_warned = True
                        log.warning("%s: an APS frame of %dx%d at (%d, %d) does not fit the %dx%d sensor: "
                                    "left out, as are any others that do not", self.path.name, w, h, x, y,
                                    self.width, self.height)
                    continue
                if max_bytes is not None and held + size > max_bytes:
                    log.warning("%s: only the first %d APS frames are kept (%d MiB, up to %d µs); "
                                "later ones are left out", self.path.name, len(out), held >> 20,
                                out[-1][0] if out else 0)
                    return
                held += size
                if (x, y, w, h) != (0, 0, self.width, self.height):
                    self._aps_regions[t_us] = (x, y, w, h)
                out.append((t_us, img if img is None else place_aps(img, x, y, self.width, self.height)))

    def aps_region(self, t_us: int) -> tuple[int, int, int, int] | None:
        """``(x, y, w, h)``: the part of the sensor the APS frame at ``t_us`` covers, where it
        is less than the sensor (DV's APS region of interest; the rest of the frame
        :meth:`aps_frames` gives is ``APS_FILL``); None for a whole-sensor frame. Known for
        the frames read so far (``evfocus eval`` scores only this part)."""
        return self._aps_regions.get(int(t_us))

    def frame_times_us(self) -> np.ndarray:
        """Times of all APS frames, sorted (no image kept: ``evfocus info`` counts the frames
        of recordings too long to hold them)."""
        t = [self._frame_time(off, n) for off, n in self._frame_packets]
        return np.sort(np.array(t, dtype=np.int64))

    def aps_frames(self, limit: int | None = None) -> list[tuple[int, np.ndarray]]:
        """The APS frames, read once on the first call (at most ``MAX_APS_BYTES``) and sorted
        by time; a corrupt frame packet ends them there, with one warning (the events still
        play). ``limit``: the first ``limit`` only; before the first full read they are read
        alone and not kept (``evfocus eval`` scores ``--max-windows`` of a recording's frames,
        which may hold 512 MiB of them). "First" is in the file's order, which is time
        order in dv's files (as the ``MAX_APS_BYTES`` cut already assumes)."""
        if self._aps is None:
            frames = self._read_aps(limit)
            if limit is not None:
                return frames
            self._aps = frames
        return self._aps if limit is None else self._aps[:limit]

    def aps_times_us(self) -> np.ndarray:
        """The times of exactly the frames :meth:`aps_frames` keeps (the same walk, the same
        ``MAX_APS_BYTES`` cut, the same frames left out), sorted, without reading their pixels
        when they have not been read: ``reconstruct --at aps`` needs only the times (its check
        of every input before any work, and its slicer without ``--save-aps``), and reading a
        long recording's frames costs seconds and up to 512 MiB."""
        if self._aps is not None:
            return np.array([t for t, _ in self._aps], dtype=np.int64)
        if self._aps_times is None:
            self._aps_times = np.array([t for t, _ in self._read_aps(None, pixels=False)],
                                       dtype=np.int64)
        return self._aps_times

    def _read_aps(self, max_frames: int | None, pixels: bool = True) -> list[tuple[int, np.ndarray | None]]:
        frames: list[tuple[int, np.ndarray | None]] = []
        try:
            self._collect_frames(frames, MAX_APS_BYTES, max_frames, pixels)
        except InputError as exc:
            if self._closing:  # (closed under the read: the caller is going away too)
                raise
            log.warning("%s; showing the %d APS frames before it", exc, len(frames))
        frames.sort(key=lambda f: f[0])  # (stable: dv writes them in order)
        return frames

    def _stream_tables(self, type_id: str, name: str):
        """Per element of every packet of the first ``type_id`` stream (``name`` preferred):
        ``(flatbuffer, table position, field offsets)``. dv's IMU and trigger packets are
        size-prefixed flatbuffers of a vector of tables, parsed here with every offset
        checked, as the events (dv-processing, used before, opens the path again, spins on
        corrupt packets and failed on a recording in progress: "unordered_map::at")."""
        streams = [st for st in self.streams.values() if st.type == type_id]
        if not streams:
            return
        sid = next((st for st in streams if st.name == name), streams[0]).id
        packets = self._other_packets.get(sid, ())
        for off, n in zip(packets[0::2], packets[1::2]):
            buf = self._decompress_at(off, n)
            try:
                fb, table, fo = _root_table(buf)
                if not fo or not fo[0]:
                    continue
                vec = table + fo[0] + _u32(fb, table + fo[0])
                count = _u32(fb, vec)
                if vec + 4 + 4 * count > len(fb):
                    raise ValueError("element vector out of range")
                for i in range(count):
                    el = vec + 4 + 4 * i
                    t, f = _table_fields(fb, el + _u32(fb, el))
                    yield fb, t, f
            except (ValueError, struct.error) as exc:
                raise InputError(f"{self.path}: corrupt AEDAT4 {name} packet at byte {off} "
                                 f"({first_line(exc)})") from None

    @staticmethod
    def _field(fb, table: int, fo: list[int], k: int, fmt: str):
        """Field ``k`` of a table (its default 0 when absent), bounds-checked."""
        if k >= len(fo) or not fo[k]:
            return 0
        at = table + fo[k]
        if at + struct.calcsize(fmt) > len(fb):
            raise ValueError("field out of range")
        return struct.unpack_from(fmt, fb, at)[0]

    def read_imu(self) -> np.ndarray:
        """IMU samples as a structured array (t_us, accel xyz [g], gyro xyz [deg/s]), in file
        order, from the packets present when the file was opened (a recording still being
        written: those written so far). A corrupt packet raises :class:`InputError`."""
        dt = np.dtype([("t", "<i8"), ("ax", "<f4"), ("ay", "<f4"), ("az", "<f4"),
                       ("gx", "<f4"), ("gy", "<f4"), ("gz", "<f4")])
        rows = []
        f = self._field
        try:
            # dv's IMU table: timestamp, temperature, accelerometer x/y/z, gyroscope x/y/z, ...
            for fb, t, fo in self._stream_tables("IMUS", "imu"):
                rows.append((f(fb, t, fo, 0, "<q"),) + tuple(f(fb, t, fo, k, "<f") for k in range(2, 8)))
        except (ValueError, struct.error) as exc:
            raise InputError(f"{self.path}: corrupt AEDAT4 imu packet ({first_line(exc)})") from None
        return np.array(rows, dtype=dt)

    def read_triggers(self) -> np.ndarray:
        """Trigger signals as a structured array (t_us, type: dv's ``TriggerType``), as
        :meth:`read_imu`."""
        dt = np.dtype([("t", "<i8"), ("type", "<i4")])
        f = self._field
        try:
            rows = [(f(fb, t, fo, 0, "<q"), f(fb, t, fo, 1, "<b"))
                    for fb, t, fo in self._stream_tables("TRIG", "triggers")]
        except (ValueError, struct.error) as exc:
            raise InputError(f"{self.path}: corrupt AEDAT4 triggers packet ({first_line(exc)})") from None
        return np.array(rows, dtype=dt)

    def close(self) -> None:
        """Stop the readers of the file, then close it (safe to call twice, from any thread).
        An APS read in another thread (the viewer's) stops at its next packet, and is waited
        for: the descriptor closed under its ``pread`` could be a new file's by then."""
        pf = getattr(self, "_prefetch", None)
        if pf is not None:
            pf.close()  # workers read the file: stop them first
        self._closing = True
        with self._aps_lock:  # (held by an APS read: for one packet's decompression at most)
            pass
        self._file = None
        if getattr(self, "_fh", None) is not None:
            self._fh.close()
            self._fh = None
