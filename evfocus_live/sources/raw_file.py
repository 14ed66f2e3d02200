"""Prophesee RAW files (EVT 2.0 and EVT 3.0), decoded by our numba streaming decoder.

Decoding: with ``backend="auto"`` (default) the Metavision SDK's ``EventsIterator`` is used
when ``metavision_core`` imports (it is not on PyPI, so normally it does not), else our
numba decoder :mod:`evfocus_live.sources.evt` (``backend="evfocus"`` forces it; the
tests and ``evfocus info`` facts are for ours).

Header: ``% key value`` lines, ended by ``% end`` or by the first line that does not
start with ``% ``. Legacy (2020) headers have no ``format``/``geometry``/``end`` lines;
the size then comes from ``plugin_name`` (gen3 640x480; gen41/imx636 1280x720; genx320
320x320), else 1280x720 with a warning. A file whose data decodes to no event (a header,
time words only) raises :class:`InputError` at opening.

Reading: blocks of words are read with plain positioned reads into a reused buffer, not
through ``mmap``: a mapped file truncated under the reader (a recorder rewriting it) killed
the process with SIGBUS; now the read that comes up short raises :class:`InputError` after
the batches already returned (see :class:`~evfocus_live.sources.fileio.FileReader`).
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import ClassVar

import numpy as np

from ..errors import InputError
from ..events import EVENT_DTYPE
from . import evt
from .base import EventSource, check_sensor_size, say_clock_reset, seek_clock
from .fileio import FileReader

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 1 << 20
#: input words decoded per block; one read() returns the events of one block (~10 ms of
#: data at 25 Mev/s) or fewer
BLOCK_BYTES = 1 << 19

_PLUGIN_SIZES = (("genx320", (320, 320)), ("gen3", (640, 480)), ("gen31", (640, 480)),
                 ("gen41", (1280, 720)), ("gen4", (1280, 720)), ("imx636", (1280, 720)),
                 ("imx646", (1280, 720)), ("gen1", (304, 240)))


def parse_header(head: bytes) -> tuple[dict[str, str], int]:
    """(``{key: value}``, data offset) from the start of a RAW file.

    Raises InputError when there is no ``% `` header or it never ends within 1 MiB.
    """
    if not head.startswith(b"% "):
        raise InputError("not a Prophesee RAW file (no '% ' header)")
    fields: dict[str, str] = {}
    pos = 0
    while head.startswith(b"% ", pos):
        end = head.find(b"\n", pos)
        if end < 0:
            raise InputError("RAW header is truncated" if len(head) < MAX_HEADER_BYTES
                             else "RAW header is longer than 1 MiB")
        line = head[pos + 2:end].rstrip(b"\r").decode("latin-1")
        pos = end + 1
        if line.strip() == "end":
            break
        key, _, value = line.partition(" ")
        fields.setdefault(key.strip().lower(), value.strip())
    return fields, pos


def header_version(fields: dict[str, str]) -> int | None:
    """2 or 3 from ``% evt`` / ``% format`` (None if neither says)."""
    fmt = fields.get("format", "")
    if fmt:
        name = fmt.split(";")[0].strip().upper()
        if name in ("EVT3", "EVT3.0"):
            return 3
        if name in ("EVT2", "EVT2.0"):
            return 2
        raise InputError(f"RAW encoding {name!r} is not supported (EVT2 and EVT3 are)")
    ev = fields.get("evt", "").strip()
    if ev in ("3.0", "3"):
        return 3
    if ev in ("2.0", "2"):
        return 2
    if ev:
        raise InputError(f"RAW encoding 'evt {ev}' is not supported (EVT2 and EVT3 are)")
    return None


def header_geometry(fields: dict[str, str]) -> tuple[int, int] | None:
    """(width, height) from ``format`` or ``geometry`` or ``plugin_name`` (None: unknown)."""
    fmt = fields.get("format", "")
    w = re.search(r"width=(\d+)", fmt)
    h = re.search(r"height=(\d+)", fmt)
    if w and h:
        return int(w.group(1)), int(h.group(1))
    m = re.fullmatch(r"\s*(\d+)\s*x\s*(\d+)\s*", fields.get("geometry", ""))
    if m:
        return int(m.group(1)), int(m.group(2))
    plugin = fields.get("plugin_name", "").lower()
    for key, size in _PLUGIN_SIZES:
        if key in plugin:
            return size
    return None


def _metavision_iterator(path: Path, start_ts: int, required: bool):
    """A Metavision ``EventsIterator`` over ``path`` (None if the SDK is missing and optional)."""
    try:
        from metavision_core.event_io import EventsIterator
    except ImportError:
        if required:
            raise InputError("the Metavision SDK (metavision_core) is not installed") from None
        return None
    try:
        return iter(EventsIterator(str(path), start_ts=start_ts, mode="n_events", n_events=1 << 18))
    except Exception as exc:
        raise InputError(f"{path}: Metavision cannot open it ({type(exc).__name__})") from None


class RawFileSource(EventSource):
    """A Prophesee ``.raw`` recording in EVT 2.0 or EVT 3.0.

    Events are **nearly sorted**: EVT3 ``TIME_LOW`` values that go backwards within one
    ``TIME_HIGH`` (real Gen4.1 files do this) are kept raw, bit-exact with OpenEB-style
    decoders, so ``t`` can step back by a few µs (see :mod:`evfocus_live.sources.evt`).
    Events outside the sensor (corrupt data) are dropped with a warning. A ``TIME_HIGH``
    word that jumps time by over a second (garbage after the events, e.g. a recorder's
    unflushed buffer) ends the stream there with one warning, and :attr:`stats` keep the byte;
    a jump back that the next ``TIME_HIGH`` words step on from is a clock reset, decoded on
    with one warning (see :mod:`.evt`).

    Parameters:
        path: the file.
        block_bytes: input bytes decoded per :meth:`read` (batch size).
        backend: ``"auto"`` (Metavision SDK if importable, else ours), ``"evfocus"``
            or ``"metavision"``.

    Example::

        src = RawFileSource("street.raw")   # src.format == "evt3", 1280x720
        for batch in src: ...
    """

    extensions: ClassVar[tuple[str, ...]] = (".raw",)

    @classmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        if not head.startswith(b"% "):
            return False
        # a .raw file that ends inside its header (cut before the keys that identify it):
        # claim it, so the reader says "truncated" rather than "not a valid evt2 file"
        is_raw = path.suffix.lower() == ".raw"
        try:
            fields, off = parse_header(head if b"\n" in head else head + b"\n")
        except InputError:
            # a header longer than the sniffed head: accept if it looks like a RAW one
            return is_raw or bool(re.search(rb"^% (evt|format|plugin_name|geometry) ", head, re.M))
        keys = set(fields)
        return bool(keys & {"evt", "format", "plugin_name", "geometry"}) or (
            is_raw and off >= len(head) and len(head) < 4096)

    @classmethod
    def content_format(cls, head: bytes, path: Path) -> str | None:
        try:
            version = header_version(parse_header(head if b"\n" in head else head + b"\n")[0])
        except InputError:
            return None
        return f"evt{version}" if version else None

    def __init__(self, path: str | Path, block_bytes: int = BLOCK_BYTES, backend: str = "auto"):
        if backend not in ("auto", "evfocus", "metavision"):
            raise InputError(f"unknown RAW backend {backend!r} (auto, evfocus, metavision)")
        self.path = Path(path)
        self._mv = None
        self._file: FileReader | None = None
        try:
            self._fh = open(self.path, "rb")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot open ({exc.strerror})") from exc
        try:
            self._init(block_bytes, backend)
        except BaseException:
            self.close()
            raise

    def _init(self, block_bytes: int, backend: str) -> None:
        head = self._fh.read(MAX_HEADER_BYTES)
        try:
            fields, data_off = parse_header(head)
            version = header_version(fields)
        except InputError as exc:  # the helpers do not know the path
            raise InputError(f"{self.path}: {exc}") from None
        self.header = fields
        plugin = fields.get("plugin_name", "")
        if version is None:
            version = 2 if "gen3" in plugin.lower() else 3
            log.warning("%s: header names no EVT version; assuming EVT%d", self.path.name, version)
        self.version = version
        self.format = f"evt{version}"
        size = header_geometry(fields)
        if size is None:
            size = (1280, 720)
            log.warning("%s: header gives no sensor size; assuming 1280x720", self.path.name)
        self.width, self.height = check_sensor_size(self.path, *size)
        self.sensor = "Prophesee " + (plugin or fields.get("sensor_generation", "unknown"))
        self._word = np.dtype("<u2") if version == 3 else np.dtype("<u4")
        self._data_off = data_off
        # the size of the file opened (fstat): the path may name another one by now (a
        # recording rotated); a file still being written is read up to this size
        self._file = FileReader(self._fh, self.path)
        n_data = self._file.size - data_off
        if n_data < self._word.itemsize:
            raise InputError(f"{self.path}: RAW file has a header but no event data")
        #: where a file cut mid-word ends (its whole words are read), else None: a file cut on a
        #: word boundary cannot be told from its end
        self.truncated_at_byte: int | None = None
        if n_data % self._word.itemsize:
            self.truncated_at_byte = self._file.size - n_data % self._word.itemsize
            log.warning("%s: file ends mid-word (truncated?); ignoring the last %d byte(s)",
                        self.path.name, n_data % self._word.itemsize)
        self._n_words = n_data // self._word.itemsize
        self._block_words = max(64, block_bytes // self._word.itemsize)
        self._buf: np.ndarray | None = None  # the reader's block of words, reused
        self._ratio = 1.0  # events per input word, to size output arrays
        self._index: list[tuple[int, np.ndarray, int, int]] | None = None  # (word, state, tmin, tmax)
        self._index_lock = threading.Lock()
        self._index_resets = 0  # clock resets in the whole file (found with the index)
        self._warned_dropped = 0
        self._warned_damage = False
        self._warned_resets: set[int] = set()  # bytes of the clock resets said (once each, replays included)
        #: where decoding stopped at damage: (byte offset in the file, the TIME_HIGH's jump in µs,
        #: events decoded from the file's start up to it or None: not known yet, the pass began
        #: at a seek); None while no damage was met (see :attr:`stats`)
        self._damage: tuple[int, int, int | None] | None = None
        if not self._has_events():
            raise InputError(f"{self.path}: contains no events (no decodable EVT{version} event "
                             "in its data)")
        self._rewind()
        if backend != "evfocus":
            self._mv = _metavision_iterator(self.path, 0, required=backend == "metavision")
            self.backend = "metavision" if self._mv is not None else "evfocus"
        else:
            self.backend = "evfocus"

    # --- decoding -----------------------------------------------------------------
    def _load(self, buf: np.ndarray | None, start: int, end: int) -> np.ndarray:
        """Words ``start..end`` read into ``buf`` (or a new one, if it is too small):
        returns the filled part. A file cut short since opening raises InputError."""
        file = self._file
        if file is None:  # closed by another thread (a scan for the viewer's time range)
            raise InputError(f"{self.path}: the source was closed")
        if buf is None or len(buf) < end - start:
            buf = np.empty(max(end - start, min(self._n_words, self._block_words)), self._word)
        words = buf[:end - start]
        file.readinto(words, self._data_off + start * self._word.itemsize)
        return words

    def _rewind(self, word: int = 0, state: np.ndarray | None = None) -> None:
        self._pos = word
        self._state = evt.new_state() if state is None else state.copy()
        #: events decoded since the file's start (None: this pass began elsewhere, at a seek)
        self._decoded = 0 if word == 0 else None
        self._drop_before: int | None = None  # after a seek: t below this is dropped ...
        self._drop_until_word = 0              # ... until the seek's block is decoded

    def _decode_block(self) -> np.ndarray | None:
        """Decode up to one block of words straight into a fresh array (no extra copy).

        Fresh pages cost a page fault each on first touch (slow on VMs), so the output
        is sized from the events-per-word ratio seen so far (exact bound for EVT2) rather
        than decoded into scratch and copied; the decoder stops early when it is full and
        the next call resumes mid-block.
        """
        if self._pos >= self._n_words:
            return None
        end = min(self._n_words, self._pos + self._block_words)
        if self._drop_before is not None:  # after a seek: its block alone (see seek)
            end = min(end, max(self._drop_until_word, self._pos + 1))
        n_words = end - self._pos
        per = evt.EVT3_MAX_EVENTS_PER_WORD if self.version == 3 else 1
        cap = int(min(per * n_words, self._ratio * n_words * 1.25 + 64))
        out = np.empty(cap, dtype=EVENT_DTYPE)
        if self._buf is None:
            self._buf = np.empty(min(self._n_words, self._block_words), self._word)
        words = self._load(self._buf, self._pos, end)
        self._state[evt.BACK_PENDING] = 0
        n, used = self._decode(self._pos, end, self._state, out, words)
        if self._state[evt.BACK_PENDING]:
            self._say_reset(self._pos + int(self._state[evt.BACK_WORD]))
        if self._decoded is not None:
            self._decoded += n
        if self._state[evt.DAMAGED]:
            self._stop_at_damage(self._pos + used)
        else:
            self._pos += used
        if used:
            self._ratio = max(n / used, 1.0 / 64) if self.version == 3 else 1.0
        return out[:n] if n >= cap // 2 else out[:n].copy()

    def _decode(self, start: int, end: int, state: np.ndarray, out: np.ndarray,
                words: np.ndarray | None = None) -> tuple[int, int]:
        """:func:`.evt.decode` of words ``start..end`` (``words``, if loaded), reading past ``end``
        when a TIME_HIGH jump at ``start`` needs the words after it to be judged (a clock reset at
        a small block's start was taken for damage: see :func:`.evt.decode_more`)."""
        return evt.decode_more(lambda a, b: self._load(None, a, b), start, end, self._n_words, state,
                               out, self.version, self.width, self.height, words=words)

    @property
    def warns_clock_resets(self) -> bool:
        """Whether this reader says a clock reset itself (our decoder; the Metavision SDK's does
        not): the pipeline then does not say the slicer's restart there again."""
        return self._mv is None

    def _say_reset(self, word: int) -> None:
        """A clock reset decoded on (see :mod:`.evt`): each said once per source, replays
        included; the slicer then starts its windows over at the new time."""
        say_clock_reset(self._warned_resets, self.path.name, self._data_off + word * self._word.itemsize,
                        -int(self._state[evt.BACK_JUMP_US]), "the TIME_HIGH words after it step on as a sensor's do")

    def _stop_at_damage(self, word: int) -> None:
        """End the stream at the damaged word (one warning per source, replays included), and
        keep where it was for :attr:`stats` (``evfocus info`` says it)."""
        self._pos = self._n_words
        if self._damage is None or self._damage[2] is None:
            self._damage = (self._data_off + word * self._word.itemsize, int(self._state[evt.DAMAGE_JUMP_US]),
                            self._decoded)
        if self._warned_damage:
            return
        self._warned_damage = True
        tick = 4096 if self.version == 3 else 64
        log.warning("%s: a TIME_HIGH word at byte %d moves time by %+.3f s (a sensor steps by "
                    "%d µs): the rest of the file (%d bytes) is damaged or garbage (a recorder "
                    "that crashed with an unflushed buffer?); keeping the events before it",
                    self.path.name, self._data_off + word * self._word.itemsize,
                    int(self._state[evt.DAMAGE_JUMP_US]) / 1e6, tick,
                    (self._n_words - word) * self._word.itemsize)

    def read(self) -> np.ndarray | None:
        if self._file is None:
            return None
        batch = self._read_metavision() if self._mv is not None else self._decode_block()
        dropped = int(self._state[evt.DROPPED])
        if batch is None:
            if dropped > self._warned_dropped:
                log.warning("%s: dropped %d %sevent(s) outside the %dx%d sensor (corrupt data?)",
                            self.path.name, dropped - self._warned_dropped,
                            "more " if self._warned_dropped else "", self.width, self.height)
                self._warned_dropped = dropped
            return None
        if dropped and not self._warned_dropped:
            # said at once (a header with a wrong size drops events all along; a replay that
            # loops never reaches the end), later ones summed at the end, as the other readers
            log.warning("%s: dropped %d event(s) outside the %dx%d sensor (a wrong size in the "
                        "header, or corrupt data?); later ones are summed at the end",
                        self.path.name, dropped, self.width, self.height)
            self._warned_dropped = dropped
        if self._drop_before is not None:
            # a dense EVT3 block may take several reads (output sized from the ratio)
            batch = batch[batch["t"] >= self._drop_before]
            if self._pos >= self._drop_until_word:
                self._drop_before = None
        return batch

    def _read_metavision(self) -> np.ndarray | None:
        """The SDK's next batch as events; those outside the header's sensor size are dropped
        and counted as our decoder does (the SDK passed them on: a header whose geometry is
        smaller than the events' gave x beyond the width, unlike our decoder, and unsaid)."""
        try:
            a = next(self._mv)
        except StopIteration:
            return None
        except Exception as exc:
            raise InputError(f"{self.path}: Metavision cannot decode it ({type(exc).__name__})") from None
        x, y = np.asarray(a["x"]), np.asarray(a["y"])
        inside = (x >= 0) & (x < self.width) & (y >= 0) & (y < self.height)
        if not inside.all():
            self._state[evt.DROPPED] += int(np.count_nonzero(~inside))
            a, x, y = a[inside], x[inside], y[inside]
        out = np.empty(len(a), dtype=EVENT_DTYPE)
        out["t"], out["x"], out["y"], out["p"] = a["t"], x, y, np.asarray(a["p"]) > 0
        return out

    @property
    def stats(self) -> dict[str, int | None]:
        """Decoder counters so far: dropped events, trigger words, EVT3 TIME_LOW steps back,
        clock resets decoded on (TIME_HIGH back over a second, then stepping on as a sensor's);
        and where decoding stopped at damage, once met (else None): ``damaged_at_byte`` (the
        file offset of the TIME_HIGH word that jumped), ``damage_jump_us``, ``bytes_not_decoded``
        (from there to the end) and ``events_before_damage`` (events decoded from the file's
        start up to it; None when only a pass that began at a seek has met it); ``truncated_at_byte``
        where a file cut mid-word ends (else None)."""
        s = self._state
        at, jump, kept = self._damage if self._damage is not None else (None, None, None)
        return {"dropped": int(s[evt.DROPPED]), "triggers": int(s[evt.TRIGGERS]),
                "time_low_backwards": int(s[evt.EVT3_BACKWARDS]), "clock_resets": int(s[evt.CLOCK_BACKS]),
                "damaged_at_byte": at, "damage_jump_us": jump,
                "bytes_not_decoded": None if at is None else self._data_off + self._n_words
                * self._word.itemsize - at,
                "events_before_damage": kept, "truncated_at_byte": self.truncated_at_byte}

    def _has_events(self) -> bool:
        """Whether any word decodes to an event (own state; normally the first block says
        so): a header with only time words would otherwise read as a silent empty stream."""
        scratch = np.empty(1 << 12, dtype=EVENT_DTYPE)
        st = evt.new_state()
        pos, buf = 0, None
        while pos < self._n_words:
            end = min(self._n_words, pos + self._block_words)
            words = buf = self._load(buf, pos, end)
            n, used = self._decode(pos, end, st, scratch, words)
            if n:
                return True
            pos += used
        return False

    # --- seeking ------------------------------------------------------------------
    def _build_index(self) -> list[tuple[int, np.ndarray, int, int]]:
        """Decode the whole file once into a small warm scratch buffer, keeping the
        decoder state and the time range of every block (for seek and time_range_us)."""
        with self._index_lock:  # the reader (seek) and the viewer (time range) may both ask
            if self._index is None:
                self._index = self._scan_blocks()
        return self._index

    def _scan_blocks(self) -> list[tuple[int, np.ndarray, int, int]]:
        """One pass with its own decoder state and buffers (the reader's are untouched: the
        viewer may ask for the time range while the reader reads)."""
        scratch = np.empty(1 << 16, dtype=EVENT_DTYPE)
        full = evt.EVT3_MAX_EVENTS_PER_WORD if self.version == 3 else 1  # (the decoder's stop when full)
        st = evt.new_state()
        pos, index, buf = 0, [], None
        while pos < self._n_words:
            start, snap = pos, st.copy()
            end = min(self._n_words, pos + self._block_words)
            block = buf = self._load(buf, start, end)
            tmin = tmax = None
            while pos < end:
                before = st.copy()
                st[evt.BACK_PENDING] = 0
                n, used = self._decode(pos, end, st, scratch, block[pos - start:end - start])
                back_at = pos + int(st[evt.BACK_WORD]) if st[evt.BACK_PENDING] else start
                if back_at > start:
                    # a clock reset: the block ends before it and the next starts at it, so that
                    # each block's times are of one clock (a seek picks the clock: see _same_clock)
                    st[:] = before
                    end = back_at
                    continue
                pos += used
                if n:
                    t = scratch["t"][:n]
                    a, b = int(t.min()), int(t.max())
                    tmin = a if tmin is None else min(tmin, a)
                    tmax = b if tmax is None else max(tmax, b)
                if pos < end and not st[evt.DAMAGED] and n + full <= len(scratch):
                    # stopped at a TIME_HIGH jump to tell with the words after it: the next block
                    # starts there, as the reader's does (decoded with the rest of this one only,
                    # it was judged with too few words, unlike the reader: the index and the
                    # events read differed)
                    break
            if tmin is not None:
                index.append((start, snap, tmin, tmax))
        self._index_resets = int(st[evt.CLOCK_BACKS])
        # (one clock, read to its end: a reset's or damage's last TIME_HIGH is no end of the file)
        self._clock_end_us = None if st[evt.DAMAGED] or self._index_resets else evt.clock_us(st, self.version)
        return index

    def seek(self, t_us: int) -> None:
        """Resume at the first block holding an event with ``t >= t_us``.

        Events of that block earlier than ``t_us`` are dropped; the first seek decodes the
        file once to build a block index (decoder state per block).
        """
        if self._mv is not None:  # the SDK opens the path again: is it still this file?
            if self._file is None:
                raise InputError(f"{self.path}: the source was closed")
            self._file.check_path("cannot seek in it with the Metavision SDK")
            self._mv = _metavision_iterator(self.path, int(t_us), required=True)
            return
        index = self._build_index()
        blocks = self._same_clock(index, t_us) or index
        if blocks is not index:  # (a time between two clocks: the nearest one's time nearest it)
            t_us = min(t_us, max(b[3] for b in blocks))
        for start, st, _, tmax in blocks:
            if tmax >= t_us:
                self._rewind(start, st)
                self._drop_before = int(t_us)
                # (to the next block's start: one that begins at a clock reset holds times of
                # another clock, which the drop must not touch)
                nxt = next((b[0] for b in index if b[0] > start), self._n_words)
                self._drop_until_word = min(self._n_words, start + self._block_words, nxt)
                return
        self._rewind(self._n_words)

    def _same_clock(self, index: list, t_us: int) -> list:
        """In a file whose sensor clock was reset, the blocks of the clock the reader is on, when
        their times hold ``t_us``. Two clocks share one time line: a time on the
        second was found in the first one's blocks (their last time is later), and a paused
        replay's frame remade there showed the file's first window. A time at or before the
        earliest one is the file's start (a loop's seek); another clock's time goes to the
        first clock in the file that holds it (the first block reaching it was the first clock's
        start, whose times are all later than the second's: the slider could not go back to the
        second clock once on the first); a time between clocks (on the viewer's slider, which spans
        all clocks' times on one axis), the nearest clock's blocks (it went to the first block that
        reached it: the file's start, whichever clock was nearer); a time after every clock, none
        (the rule: :func:`~evfocus_live.sources.base.seek_clock`, the AEDAT4 reader's too)."""
        if not index or not self._index_resets:
            return []
        clocks = self._block_clocks(index)
        ids = sorted(set(clocks))  # (a clock's number: the resets before it, so file order)
        spans = [(min(b[2] for b, k in zip(index, clocks) if k == c),
                  max(b[3] for b, k in zip(index, clocks) if k == c)) for c in ids]
        on = int(self._state[evt.CLOCK_BACKS])
        c = seek_clock(spans, t_us, ids.index(on) if on in ids else -1)
        return [] if c is None else [b for b, k in zip(index, clocks) if k == ids[c]]

    def _block_clocks(self, index: list) -> list[int]:
        """Each index block's clock, as the count of resets decoded by the block's end (the
        next block's start state; a block starts at a reset, if any: see ``_scan_blocks``)."""
        return [int(st[evt.CLOCK_BACKS]) for _, st, _, _ in index[1:]] + [self._index_resets]

    def clocks(self) -> list[tuple[int, int, int]]:
        """The file's sensor clocks in file order, one ``(byte, t_first_us, t_last_us)`` each
        (``byte``: where the clock begins, the reset's TIME_HIGH word after the first); one
        clock unless it was reset. Decodes the file once, as time_range_us (the same index)."""
        index = self._build_index()
        if not index:
            return []
        out: list[list[int]] = []
        prev = None
        for (start, _, tmin, tmax), c in zip(index, self._block_clocks(index)):
            if c != prev:  # (a block begins at each reset: see _scan_blocks)
                out.append([self._data_off + start * self._word.itemsize, tmin, tmax])
                prev = c
            else:
                out[-1][1], out[-1][2] = min(out[-1][1], tmin), max(out[-1][2], tmax)
        return [(a, b, c) for a, b, c in out]

    def end_us(self) -> int | None:
        """Where the file's sensor clock ends, when that is after its last event (the sensor wrote
        ``TIME_HIGH`` words on through a still scene: a pause at the end of the recording, which a
        looping replay plays before it starts again); else None. A file of one clock, undamaged."""
        rng = self.time_range_us()  # (builds the index, which finds the clock's end)
        end = getattr(self, "_clock_end_us", None)
        return end if rng is not None and end is not None and end > rng[1] else None

    def time_range_us(self) -> tuple[int, int] | None:
        """(min t, max t) over the file (decodes it once; events are nearly sorted)."""
        index = self._build_index()
        if not index:
            return None
        return min(i[2] for i in index), max(i[3] for i in index)

    def close(self) -> None:
        self._file = None
        self._buf = None
        if getattr(self, "_fh", None) is not None:
            self._fh.close()
            self._fh = None
