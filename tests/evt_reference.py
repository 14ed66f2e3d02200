"""Slow, obvious pure-Python EVT 2.0 / 3.0 decoders and a small EVT3/EVT2 encoder.

The decoders are the test oracle for :mod:`evfocus_live.sources.evt`: written
word by word from the bit layouts in OpenEB's sample decoders (../shared/docs/IO.md §5), sharing
no code with the numba decoders. The encoders make synthetic files that exercise the
time wraps and every word type.
"""

from __future__ import annotations

import numpy as np

from evfocus_live.events import EVENT_DTYPE


def ref_decode_evt3(data: bytes):
    """(t, x, y, p) lists from EVT3 bytes (no header): raw TIME_LOW, OpenEB loop rule."""
    words = np.frombuffer(data[: len(data) // 2 * 2], dtype="<u2").tolist()
    ts, xs, ys, ps = [], [], [], []
    started = False
    time_high = 0           # last TIME_HIGH value << 12 (24-bit clock)
    n_loops = 0
    t = 0
    y = 0
    base_x = 0
    vpol = 0
    for w in words:
        kind = w >> 12
        if kind == 0x8:
            new_high = (w & 0xFFF) << 12
            if started and new_high < time_high and (time_high - new_high) >= 0xFFF000 - (10 << 12):
                n_loops += 1
            time_high = new_high
            started = True
            t = time_high + n_loops * (1 << 24)
            continue
        if not started:
            continue
        if kind == 0x6:
            t = time_high + n_loops * (1 << 24) + (w & 0xFFF)
        elif kind == 0x0:
            y = w & 0x7FF
        elif kind == 0x2:
            ts.append(t); xs.append(w & 0x7FF); ys.append(y); ps.append((w >> 11) & 1)
        elif kind == 0x3:
            vpol = (w >> 11) & 1
            base_x = w & 0x7FF
        elif kind == 0x4:
            for i in range(12):
                if w & (1 << i):
                    ts.append(t); xs.append(base_x + i); ys.append(y); ps.append(vpol)
            base_x += 12
        elif kind == 0x5:
            for i in range(8):
                if w & (1 << i):
                    ts.append(t); xs.append(base_x + i); ys.append(y); ps.append(vpol)
            base_x += 8
    return ts, xs, ys, ps


def ref_decode_evt2(data: bytes):
    """(t, x, y, p) lists from EVT2 bytes (no header): 34-bit time, half-range loop rule."""
    words = np.frombuffer(data[: len(data) // 4 * 4], dtype="<u4").tolist()
    ts, xs, ys, ps = [], [], [], []
    started = False
    high = 0
    n_loops = 0
    for w in words:
        kind = w >> 28
        if kind == 0x8:
            new_high = w & 0x0FFFFFFF
            if started and new_high < high and high - new_high > (1 << 27):
                n_loops += 1
            high = new_high
            started = True
        elif started and kind in (0x0, 0x1):
            ts.append(((high + n_loops * (1 << 28)) << 6) | ((w >> 22) & 0x3F))
            xs.append((w >> 11) & 0x7FF)
            ys.append(w & 0x7FF)
            ps.append(kind)
    return ts, xs, ys, ps


def as_events(cols) -> np.ndarray:
    ts, xs, ys, ps = cols
    ev = np.empty(len(ts), dtype=EVENT_DTYPE)
    ev["t"], ev["x"], ev["y"], ev["p"] = ts, xs, ys, ps
    return ev


# --- encoders (vectorised, for synthetic files and the benchmark) -----------------------

def encode_evt3(ev: np.ndarray, use_vectors: bool = True) -> bytes:
    """EVT3 words for time-sorted events (times must be >= 0; wraps at 2^24 µs).

    Emits TIME_HIGH whenever ``t >> 12`` changes, TIME_LOW whenever ``t & 0xFFF``
    changes, ADDR_Y whenever y changes, then ADDR_X, or (``use_vectors``) a VECT_BASE_X +
    VECT_12/VECT_8 for runs of same-(t, y, p) events with consecutive x. Vectorised: one
    group of words per event, assembled with numpy.
    """
    n = len(ev)
    if n == 0:
        return b""
    t = ev["t"].astype(np.int64) % (1 << 24)
    x = ev["x"].astype(np.int64)
    y = ev["y"].astype(np.int64)
    p = ev["p"].astype(np.int64)
    full_t = ev["t"].astype(np.int64)
    th = full_t >> 12
    new_th = np.ones(n, bool)
    new_th[1:] = th[1:] != th[:-1]
    new_tl = np.ones(n, bool)
    new_tl[1:] = full_t[1:] != full_t[:-1]
    new_y = new_th | new_tl
    new_y[1:] |= y[1:] != y[:-1]
    # vector runs: same t, y, p and x == prev_x + 1, within a chunk of 12
    if use_vectors:
        cont = np.zeros(n, bool)
        cont[1:] = (~new_y[1:]) & (p[1:] == p[:-1]) & (x[1:] == x[:-1] + 1)
        run_start = ~cont
        run_id = np.cumsum(run_start) - 1
        start_idx = np.flatnonzero(run_start)
        pos = np.arange(n) - start_idx[run_id]
        run_len = np.diff(np.append(start_idx, n))
        in_vec = run_len[run_id] >= 3
    else:
        in_vec = np.zeros(n, bool)
        pos = np.zeros(n, np.int64)
    # words per event: [TH][TL][Y] then ADDR_X, or at a chunk start: VECT_BASE_X + VECT_12
    first_in_chunk = in_vec & (pos % 12 == 0)
    n_words = new_th.astype(np.int64) + new_tl + new_y + (~in_vec) + 2 * first_in_chunk
    offs = np.concatenate(([0], np.cumsum(n_words)))
    out = np.zeros(offs[-1], dtype=np.uint16)
    k = offs[:-1].copy()
    m = new_th
    out[k[m]] = 0x8000 | ((t[m] >> 12) & 0xFFF); k[m] += 1
    m = new_tl
    out[k[m]] = 0x6000 | (t[m] & 0xFFF); k[m] += 1
    m = new_y
    out[k[m]] = 0x0000 | y[m]; k[m] += 1
    m = ~in_vec
    out[k[m]] = 0x2000 | (p[m] << 11) | x[m]; k[m] += 1
    m = first_in_chunk
    out[k[m]] = 0x3000 | (p[m] << 11) | x[m]; k[m] += 1
    out[k[m]] = 0x4000  # VECT_12 word, mask filled below
    vec_word = np.zeros(n, np.int64)
    vec_word[m] = k[m]
    if in_vec.any():
        # each event in a vector chunk sets bit (pos % 12) of its chunk's word
        idx = np.flatnonzero(in_vec)
        starts = np.flatnonzero(first_in_chunk)
        # map every vector event to the word index of its chunk's first event
        first_of = np.searchsorted(starts, idx, side="right") - 1
        word_idx = vec_word[starts[first_of]]
        np.bitwise_or.at(out, word_idx, (1 << (pos[idx] % 12)).astype(np.uint16))
    return out.tobytes()


def encode_evt2(ev: np.ndarray) -> bytes:
    """EVT2 words for time-sorted events: a TIME_HIGH whenever ``t >> 6`` changes."""
    n = len(ev)
    if n == 0:
        return b""
    t = ev["t"].astype(np.int64)
    th = (t >> 6) & 0x0FFFFFFF
    new_th = np.ones(n, bool)
    new_th[1:] = (t[1:] >> 6) != (t[:-1] >> 6)
    n_words = 1 + new_th.astype(np.int64)
    offs = np.concatenate(([0], np.cumsum(n_words)))
    out = np.zeros(offs[-1], dtype=np.uint32)
    k = offs[:-1].copy()
    m = new_th
    out[k[m]] = (0x8 << 28) | th[m]
    k[m] += 1
    out[k] = ((ev["p"].astype(np.uint32) & 1) << 28) | ((t & 0x3F).astype(np.uint32) << 22) \
        | (ev["x"].astype(np.uint32) << 11) | ev["y"].astype(np.uint32)
    return out.tobytes()


def raw_file_bytes(ev: np.ndarray, version: int, width: int = 1280, height: int = 720,
                   legacy: bool = False) -> bytes:
    """A complete RAW file: a header (modern, or legacy without format/geometry/end)."""
    if legacy:
        plugin = "hal_plugin_gen41_evk3" if version == 3 else "hal_plugin_gen3_fx3"
        head = f"% Date 2020-09-25 07:48:29\n% evt {version}.0\n% plugin_name {plugin}\n% serial_number 00000307\n"
    else:
        head = (f"% camera_integrator_name Prophesee\n% evt {version}.0\n"
                f"% format EVT{version};height={height};width={width}\n% geometry {width}x{height}\n"
                f"% plugin_name hal_plugin_imx636_evk4\n% end\n")
    body = encode_evt3(ev) if version == 3 else encode_evt2(ev)
    return head.encode() + body
