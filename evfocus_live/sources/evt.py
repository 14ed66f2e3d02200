"""Streaming decoders for Prophesee EVT 2.0 and EVT 3.0 raw event data (numba).

The decoders keep their whole state in a small ``int64`` array, so a stream can be cut
into buffers anywhere on a word boundary and decoded piece by piece with identical
results (the tests split the bytes at every kind of word). They write straight into an
:data:`~evfocus_live.events.EVENT_DTYPE` array, byte by byte: numba's record stores and
numpy field assignment on the packed 13-byte dtype are ~10x slower.

Timestamp policy (EVT 3.0):

* Words before the first ``EVT_TIME_HIGH`` are skipped (their time is unknown).
* The 24-bit time wraps every 2^24 µs; as in OpenEB, a new ``TIME_HIGH`` that is lower
  than the previous one by at least ``0xFFF000 - (10 << 12)`` counts one loop, and the
  loop count is carried across buffers.
* ``EVT_TIME_LOW`` values that go backwards within one ``TIME_HIGH`` (real Gen4.1 files
  do this) are **kept raw**, not clamped: the output is bit-exact with OpenEB-style
  reference decoders and evlib, but only *nearly* sorted (steps back of a few µs).
  The number of such steps is counted in the state (``EVT3_BACKWARDS``).

EVT 2.0: ``t = (TIME_HIGH << 6) | lsb``; the 28-bit ``TIME_HIGH`` wraps every 2^34 µs
(~4.8 h); a drop of more than half its range counts one loop. Words before the first
``TIME_HIGH`` are skipped. Events outside the sensor (corrupt data) are dropped and
counted in the state (``DROPPED``) instead of reaching the voxel grid.

Damage (both formats): a ``TIME_HIGH`` that moves time back by more than
:data:`MAX_TIME_HIGH_JUMP_US` (a wrap excepted) and is not followed by
:data:`RESET_CHECK_TIME_HIGHS` ``TIME_HIGH`` words that each step on from the one before (0 to
1 s), or forward by more and is not followed by one such ``TIME_HIGH``, ends decoding at that word:
``DAMAGED`` is set, the call returns the events before it, and later calls consume their
words and return none. A sensor steps ``TIME_HIGH`` by one tick at a time (measured on the
real files: 0 or 4096 µs for EVT3, 0 or 64 µs for EVT2, never back); random bytes after the
events (a recorder that crashed with an unflushed buffer) read as ``TIME_HIGH`` words that
jump every time, to times of up to 2^34 µs (3.3e6 s of "duration" in ``evfocus info``). A
single jump forward that the next ``TIME_HIGH`` steps on from is data: an encoder that writes
``TIME_HIGH`` only where events are (a converted recording with a pause) jumps over the gap.
A jump back that the next three ``TIME_HIGH`` words step on from is a clock reset (a camera
reset or re-synchronised mid-recording), decoded on: counted in ``CLOCK_BACKS`` and noted in
``BACK_PENDING``/``BACK_WORD``/``BACK_JUMP_US`` for the reader to say where (a call stops before a
second one, so each is noted).
A jump is judged by the words after it, so a caller that decodes a stream in blocks passes
``more=True`` (more words follow): a jump at a block's first word that the block's words cannot
judge is then left for a call with more words (``MORE_WORDS`` set), not taken for damage at
a reset or for data after a gap, so any block size decodes as :func:`decode_all` does.
Garbage passes that test rarely: its next ``TIME_HIGH`` steps 0..1 s forward by chance 1 in
17 (EVT3: 12 bits of 4096 µs ticks) or 1 in 17,000 (EVT2), so three in a row 1 in ~5,000
(EVT3); a sensor's step by one tick every time.
"""

from __future__ import annotations

import numba
import numpy as np

from ..events import EVENT_DTYPE, concat

# --- state layout (int64[STATE_SIZE]) -------------------------------------------------
HAVE_TH = 0        # 1 once a TIME_HIGH was seen
TH_RAW = 1         # last raw TIME_HIGH value (EVT3: << 12 applied; EVT2: 28-bit field)
LOOPS = 2          # number of time wraps so far
T_CUR = 3          # EVT3: current full timestamp
Y_CUR = 4          # EVT3: current y
BASE_X = 5         # EVT3: current vector base x
POL = 6            # EVT3: current vector polarity
DROPPED = 7        # events outside width x height (dropped)
TRIGGERS = 8       # external-trigger words seen (not decoded into events)
EVT3_BACKWARDS = 9 # EVT3: TIME_LOW steps that went back in time (kept raw)
DAMAGED = 10       # 1 once a TIME_HIGH jumped by more than MAX_TIME_HIGH_JUMP_US (decoding stopped)
DAMAGE_JUMP_US = 11  # that jump (signed µs)
CLOCK_BACKS = 12   # TIME_HIGH jumps back over MAX_TIME_HIGH_JUMP_US kept as clock resets
BACK_PENDING = 13  # 1: a clock reset in this call, at word BACK_WORD of it (the caller clears it)
BACK_WORD = 14
BACK_JUMP_US = 15  # that reset's jump (negative µs)
MORE_WORDS = 16    # 1: this call stopped at its first word, a TIME_HIGH jump it needs more words to judge
STATE_SIZE = 17

#: largest time step between two consecutive TIME_HIGH words that is still data (either
#: way, a wrap excepted); sensors step by one tick (4096 µs EVT3, 64 µs EVT2)
MAX_TIME_HIGH_JUMP_US = 1_000_000
#: ``TIME_HIGH`` words after a jump back that must each step on (0..MAX_TIME_HIGH_JUMP_US)
#: for it to be a clock reset, not damage
RESET_CHECK_TIME_HIGHS = 3

EVT3_TIME_LOOP_US = 1 << 24
EVT3_LOOP_THRESHOLD = 0xFFF000 - (10 << 12)
EVT2_TIME_LOOP_US = 1 << 34
EVT2_TH_HALF = 1 << 27

#: upper bound on events per input word, to size output buffers
EVT3_MAX_EVENTS_PER_WORD = 12
EVT2_MAX_EVENTS_PER_WORD = 1


def new_state() -> np.ndarray:
    """A fresh decoder state (start of a stream)."""
    return np.zeros(STATE_SIZE, dtype=np.int64)


@numba.njit(inline="always")
def _put(b, n, t, x, y, p):
    """Store one event at index ``n`` of a 13-byte EVENT_DTYPE byte view."""
    o = n * 13
    v = t
    for k in range(8):
        b[o + k] = v & 0xFF
        v >>= 8
    b[o + 8] = x & 0xFF
    b[o + 9] = (x >> 8) & 0xFF
    b[o + 10] = y & 0xFF
    b[o + 11] = (y >> 8) & 0xFF
    b[o + 12] = p


@numba.njit(nogil=True, cache=True)
def _next_time_high_ok(words, i, version, count):
    """After a ``TIME_HIGH`` jump at ``words[i]``: 1 if each of the next ``count`` ``TIME_HIGH``
    words steps on from the one before as a sensor does (0..MAX_TIME_HIGH_JUMP_US forward, a
    wrap allowed), 0 if one jumps (garbage: its random words jump nearly every time), -1 if
    ``words`` ends before that is known."""
    w0 = np.int64(words[i])
    if version == 3:
        prev = (w0 & 0xFFF) << 12
    else:
        prev = w0 & 0xFFFFFFF
    left = count
    for j in range(i + 1, words.shape[0]):
        w = np.int64(words[j])
        if version == 3:
            if (w >> 12) != 0x8:
                continue
            nb = (w & 0xFFF) << 12
            step = nb - prev
            if nb < prev and prev - nb >= EVT3_LOOP_THRESHOLD:
                step += EVT3_TIME_LOOP_US
        else:
            if (w >> 28) != 0x8:
                continue
            th = w & 0xFFFFFFF
            step = th - prev
            if th < prev and prev - th > EVT2_TH_HALF:
                step += 1 << 28
            step <<= 6
        if not 0 <= step <= MAX_TIME_HIGH_JUMP_US:
            return 0
        left -= 1
        if left == 0:
            return 1
        if version == 3:
            prev = nb
        else:
            prev = th
    return -1


@numba.njit(inline="always")
def _time_high_ok(words, i, jump, version, state, more):
    """False to stop before the ``TIME_HIGH`` at ``words[i]`` that moves time by ``jump`` µs:
    damage (``state[DAMAGED]`` set: forward too far with the next one jumping again, or back
    too far without the next three stepping on), or too few ``TIME_HIGH`` words after it in
    ``words`` to tell (the first word and ``more``: ``state[MORE_WORDS]`` set; the first word at
    the stream's end: forward, then, is data; back is damage)."""
    if -MAX_TIME_HIGH_JUMP_US <= jump <= MAX_TIME_HIGH_JUMP_US:
        return True
    # a real gap, a clock reset, or garbage
    ok = _next_time_high_ok(words, i, version, 1 if jump > 0 else RESET_CHECK_TIME_HIGHS)
    if ok == -1:
        if i > 0:
            return False
        if more:  # the caller passes more words (a block's first word: judged as decode_all does)
            state[MORE_WORDS] = 1
            return False
        ok = 1 if jump > 0 else 0
    if ok == 0:
        state[DAMAGED] = 1
        state[DAMAGE_JUMP_US] = jump
        return False
    if jump < 0:  # a clock reset: decoded on, noted for the reader
        if state[BACK_PENDING] and i > 0:
            return False  # a second one in this call: stop before it, so that each is noted
        state[CLOCK_BACKS] += 1
        if state[BACK_PENDING] == 0:
            state[BACK_PENDING] = 1
            state[BACK_WORD] = i
            state[BACK_JUMP_US] = jump
    return True


@numba.njit(nogil=True, cache=True)
def _decode_evt3(words, state, out_bytes, capacity, width, height, limit, more):
    have_th = state[HAVE_TH]
    th_raw = state[TH_RAW]
    loops = state[LOOPS]
    t = state[T_CUR]
    y = state[Y_CUR]
    base_x = state[BASE_X]
    pol = state[POL]
    dropped = state[DROPPED]
    triggers = state[TRIGGERS]
    backwards = state[EVT3_BACKWARDS]
    state[MORE_WORDS] = 0
    nw = limit  # words after it are only looked at, to judge a TIME_HIGH jump
    if state[DAMAGED]:
        return 0, nw
    n = 0
    i = 0
    while i < nw:
        if n + 12 > capacity:
            break
        w = np.int64(words[i])
        typ = w >> 12
        if typ == 0x8:  # EVT_TIME_HIGH
            nb = (w & 0xFFF) << 12
            new_loops = loops
            if have_th == 1 and nb < th_raw and th_raw - nb >= EVT3_LOOP_THRESHOLD:
                new_loops += 1
            if have_th == 1:
                jump = (nb + (new_loops << 24)) - (th_raw + (loops << 24))
                if not _time_high_ok(words, i, jump, 3, state, more):
                    break  # damage, or decided with the words after it (the caller's next call starts here)
            loops = new_loops
            th_raw = nb
            have_th = 1
            t = nb + (loops << 24)
        elif have_th == 0:
            pass
        elif typ == 0x6:  # EVT_TIME_LOW
            nt = th_raw + (loops << 24) + (w & 0xFFF)
            if nt < t:
                backwards += 1
            t = nt
        elif typ == 0x0:  # EVT_ADDR_Y
            y = w & 0x7FF
        elif typ == 0x2:  # EVT_ADDR_X: one event
            x = w & 0x7FF
            if x < width and y < height:
                _put(out_bytes, n, t, x, y, (w >> 11) & 1)
                n += 1
            else:
                dropped += 1
        elif typ == 0x3:  # VECT_BASE_X
            pol = (w >> 11) & 1
            base_x = w & 0x7FF
        elif typ == 0x4 or typ == 0x5:  # VECT_12 / VECT_8
            if typ == 0x4:
                m = w & 0xFFF
                nbits = 12
            else:
                m = w & 0xFF
                nbits = 8
            if y < height:
                for k in range(nbits):
                    if (m >> k) & 1:
                        x = base_x + k
                        if x < width:
                            _put(out_bytes, n, t, x, y, pol)
                            n += 1
                        else:
                            dropped += 1
            else:
                for k in range(nbits):
                    dropped += (m >> k) & 1
            base_x += nbits
        elif typ == 0xA:  # EXT_TRIGGER
            triggers += 1
        i += 1
    state[HAVE_TH] = have_th
    state[TH_RAW] = th_raw
    state[LOOPS] = loops
    state[T_CUR] = t
    state[Y_CUR] = y
    state[BASE_X] = base_x
    state[POL] = pol
    state[DROPPED] = dropped
    state[TRIGGERS] = triggers
    state[EVT3_BACKWARDS] = backwards
    return n, i


@numba.njit(nogil=True, cache=True)
def _decode_evt2(words, state, out_bytes, capacity, width, height, limit, more):
    have_th = state[HAVE_TH]
    th_raw = state[TH_RAW]
    loops = state[LOOPS]
    dropped = state[DROPPED]
    triggers = state[TRIGGERS]
    state[MORE_WORDS] = 0
    nw = limit  # words after it are only looked at, to judge a TIME_HIGH jump
    if state[DAMAGED]:
        return 0, nw
    n = 0
    i = 0
    while i < nw:
        if n + 1 > capacity:
            break
        w = np.int64(words[i])
        typ = w >> 28
        if typ == 0x8:  # EVT_TIME_HIGH
            th = w & 0xFFFFFFF
            new_loops = loops
            if have_th == 1 and th < th_raw and th_raw - th > EVT2_TH_HALF:
                new_loops += 1
            if have_th == 1:
                jump = (((new_loops << 28) + th) - ((loops << 28) + th_raw)) << 6
                if not _time_high_ok(words, i, jump, 2, state, more):
                    break  # damage, or decided with the words after it (the caller's next call starts here)
            loops = new_loops
            th_raw = th
            have_th = 1
        elif have_th == 0:
            pass
        elif typ <= 1:  # CD_OFF / CD_ON
            x = (w >> 11) & 0x7FF
            y = w & 0x7FF
            if x < width and y < height:
                t = (((loops << 28) + th_raw) << 6) | ((w >> 22) & 0x3F)
                _put(out_bytes, n, t, x, y, typ)
                n += 1
            else:
                dropped += 1
        elif typ == 0xA:
            triggers += 1
        i += 1
    state[HAVE_TH] = have_th
    state[TH_RAW] = th_raw
    state[LOOPS] = loops
    state[DROPPED] = dropped
    state[TRIGGERS] = triggers
    return n, i


def clock_us(state: np.ndarray, version: int) -> int | None:
    """The time the last ``TIME_HIGH`` decoded stands for (None before one). A sensor writes
    them on through a still scene, so a file's clock runs on past its last event."""
    if not state[HAVE_TH]:
        return None
    loops, th = int(state[LOOPS]), int(state[TH_RAW])
    return th + (loops << 24) if version == 3 else ((loops << 28) + th) << 6


def decode(words: np.ndarray, state: np.ndarray, out: np.ndarray, version: int,
           width: int = 2048, height: int = 2048, *, limit: int | None = None,
           more: bool = False) -> tuple[int, int]:
    """Decode ``words`` into ``out`` (an EVENT_DTYPE array), updating ``state``.

    ``version`` is 2 (``words`` uint32) or 3 (``words`` uint16). Stops early when ``out``
    is nearly full, or at damage (``state[DAMAGED]`` set; the word consumed count then
    points at the damaged word, and later calls consume everything and return no event).
    Returns ``(n_events, n_words_consumed)``; call again with the rest.

    ``limit``: decode only ``words[:limit]``; the words after it are only looked at to judge a
    ``TIME_HIGH`` jump. ``more``: the stream goes on after ``words`` (a reader's block): a jump
    at ``words[0]`` that they cannot judge returns ``(0, 0)`` with ``state[MORE_WORDS]`` set;
    call again with more words after it (see :func:`decode_more`). Without it, ``words`` end
    the stream, as in :func:`decode_all`.
    """
    b = out.view(np.uint8)
    n = words.shape[0] if limit is None else max(0, min(int(limit), words.shape[0]))
    if version == 3:
        return _decode_evt3(words, state, b, out.shape[0], width, height, n, bool(more))
    return _decode_evt2(words, state, b, out.shape[0], width, height, n, bool(more))


def decode_more(load, start: int, end: int, n_words: int, state: np.ndarray, out: np.ndarray,
                version: int, width: int = 2048, height: int = 2048,
                words: np.ndarray | None = None) -> tuple[int, int]:
    """:func:`decode` of words ``start..end`` of a stream of ``n_words``, looking past ``end``
    (``load(start, stop)`` returns those words) as far as a ``TIME_HIGH`` jump at ``start`` needs
    to be judged: block-wise reading then agrees with :func:`decode_all` whatever the block
    size (a clock reset at a block's start was taken for damage). ``words``: ``start..end``
    already loaded."""
    if words is None:
        words = load(start, end)
    n, used = decode(words, state, out, version, width, height, more=end < n_words)
    ahead = end
    while state[MORE_WORDS]:  # (rare: a jump at the block's first word; twice as far each time)
        ahead = min(n_words, start + 2 * (ahead - start))
        n, used = decode(load(start, ahead), state, out, version, width, height,
                         limit=end - start, more=ahead < n_words)
    return n, used


def decode_all(data: bytes | np.ndarray, version: int, width: int = 2048,
               height: int = 2048, state: np.ndarray | None = None) -> np.ndarray:
    """Decode a whole buffer of EVT2/EVT3 data (no header) in one call."""
    wdt = np.uint16 if version == 3 else np.uint32
    raw = np.frombuffer(data, dtype=np.uint8) if not isinstance(data, np.ndarray) else data.view(np.uint8)
    words = raw[: raw.size - raw.size % wdt().itemsize].view(wdt)
    st = new_state() if state is None else state
    per = EVT3_MAX_EVENTS_PER_WORD if version == 3 else EVT2_MAX_EVENTS_PER_WORD
    out = np.empty(max(16, min(words.size * per, 1 << 22)), dtype=EVENT_DTYPE)
    parts, i = [], 0
    while i < words.size:
        n, used = decode(words[i:], st, out, version, width, height)
        parts.append(out[:n].copy())
        i += used
    return concat(parts)
