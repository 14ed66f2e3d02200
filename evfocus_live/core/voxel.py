"""Event voxel grids (E2VID's convention) and padding helpers.

A window of events becomes a ``[num_bins, H, W]`` float32 tensor: each event's time is
mapped linearly onto ``[0, num_bins - 1]`` over the window (first to last event), and
its polarity (+1 ON / -1 OFF) is split between the two neighbouring bins with bilinear
weights. With ``normalize`` the non-zero voxels are shifted/scaled to mean 0, std 1
(population std over non-zero voxels only, zeros stay zero) -- exactly what E2VID's
``events_to_voxel_grid_pytorch`` + normalisation do, so models trained either way agree.

Backends: on CPU a numba kernel (one pass, no temporaries, ~100 M events/s on one
core; on grids of millions of voxels the events are first sorted into bands of rows, see
``_voxel_rows_numba``); on CUDA (or CPU when numba is unavailable) a fully vectorised torch
``index_add_`` built directly on the device. See ``bench/bench_voxel.py``.
"""

from __future__ import annotations

import logging

import numpy as np
import torch
import torch.nn.functional as F

from ..events import EVENT_DTYPE, EVENTS_TEXT, as_events

log = logging.getLogger(__name__)

__all__ = ["voxel_grid", "model_voxel", "COUNT_SCALE", "normalize_voxel", "pad_to_multiple", "crop"]

try:  # numba is a dependency, but keep the torch path usable without it
    import numba

    @numba.njit(cache=True, nogil=True)
    def _time_scale(t, num_bins):  # pragma: no cover - compiled
        n = t.shape[0]
        tmin = t[0]
        tmax = t[0]
        for i in range(n):
            if t[i] < tmin:
                tmin = t[i]
            if t[i] > tmax:
                tmax = t[i]
        # in float64: an int64 difference overflows for spans over 2^63 us (corrupt or
        # hostile timestamps), and a wrapped, negative bin index would write out of bounds
        span = np.float64(tmax) - np.float64(tmin)
        if span <= 0:
            span = 1.0
        return tmin, np.float64(num_bins - 1) / span

    @numba.njit(cache=True, nogil=True, inline="always")
    def _bin_weights(t, p, tmin, scale, last):  # pragma: no cover - compiled
        """(bin, its weight, the next bin's weight) of one event: both kernels (and so their
        grids, bit for bit) share it; inlined, as written out in each before."""
        ts = np.float32((np.float64(t) - np.float64(tmin)) * scale)
        ti = int(ts)
        if ti > last:
            ti = last
        if ti < 0:
            ti = 0
        d = min(max(ts - np.float32(ti), np.float32(0.0)), np.float32(1.0))
        pol = np.float32(1.0) if p > 0 else np.float32(-1.0)
        return ti, pol * (np.float32(1.0) - d), pol * d

    #: rows per bucket of ``_voxel_rows_numba``: 8 rows x 5 bins of a 1280-wide grid (200 KB)
    #: stay in a core's cache while their events are added
    ROWS_PER_BUCKET = 8

    @numba.njit(cache=True, nogil=True)
    def _voxel_rows_numba(t, x, y, p, num_bins, out):  # pragma: no cover - compiled
        """``_voxel_numba`` for grids far larger than the CPU caches: the events are first
        put in order of their band of rows, stably (a counting sort), each as its voxel
        index and two weights worked out as there, then added band by band. Each voxel gets
        the same additions in the same (time) order, so the grid is the same bit for bit;
        but the adds stay within a few rows of the grid instead of jumping across 18 MB
        (1280x720x5) with every event. Needs fewer than 2^31 voxels."""
        h = out.shape[1]
        w = out.shape[2]
        hw = h * w
        last = num_bins - 1
        tmin, scale = _time_scale(t, num_bins)
        nb = (h + ROWS_PER_BUCKET - 1) // ROWS_PER_BUCKET
        start = np.zeros(nb + 1, np.int64)
        for i in range(t.shape[0]):
            if x[i] < w and y[i] < h:
                start[y[i] // ROWS_PER_BUCKET + 1] += 1
        for r in range(nb):
            start[r + 1] += start[r]
        kept = start[nb]
        flat = out.reshape(-1)
        rec = np.empty((kept, 3), np.int32)  # voxel index (-1 - index: the last bin), 2 weights
        wts = rec.view(np.float32)
        for i in range(t.shape[0]):
            xi = x[i]
            yi = y[i]
            if xi >= w or yi >= h:
                continue
            ti, w0, w1 = _bin_weights(t[i], p[i], tmin, scale, last)
            b = yi // ROWS_PER_BUCKET
            j = start[b]
            start[b] = j + 1
            k = ti * hw + yi * w + xi
            rec[j, 0] = k if ti < last else -1 - k
            wts[j, 1] = w0
            wts[j, 2] = w1
        for j in range(kept):
            k = rec[j, 0]
            if k >= 0:
                flat[k] += wts[j, 1]
                flat[k + hw] += wts[j, 2]
            else:
                flat[-1 - k] += wts[j, 1]

    @numba.njit(cache=True, nogil=True)
    def _voxel_numba(t, x, y, p, num_bins, out):  # pragma: no cover - compiled
        tmin, scale = _time_scale(t, num_bins)
        n = t.shape[0]
        h = out.shape[1]
        w = out.shape[2]
        last = num_bins - 1
        for i in range(n):
            xi = x[i]
            yi = y[i]
            if xi >= w or yi >= h:
                continue
            ti, w0, w1 = _bin_weights(t[i], p[i], tmin, scale, last)
            out[ti, yi, xi] += w0
            if ti < last:
                out[ti + 1, yi, xi] += w1

    @numba.njit(cache=True, nogil=True)
    def _normalize_numba(flat):  # pragma: no cover - compiled
        # Without a branch: adding a zero voxel (+0.0 or -0.0, and its float32 square) leaves
        # the float64 sums exactly as they were, so these are the sums of the non-zero voxels
        # in the same order, bit for bit -- without one mispredicted branch per voxel (1.8x
        # at 1280x720, where ~1 voxel in 6 is set; bench/bench_pipeline_overhead.py)
        s = 0.0
        s2 = 0.0
        c = 0
        for i in range(flat.shape[0]):
            v = flat[i]
            s += v
            s2 += v * v  # (float32 product, as before)
            c += v != 0
        if c == 0:
            return
        mean = s / c
        var = s2 / c - mean * mean
        inv = 1.0 / np.sqrt(var) if var > 1e-16 else 1.0
        for i in range(flat.shape[0]):
            v = flat[i]
            flat[i] = np.float32((v - mean) * inv) if v != 0 else v

    _HAVE_NUMBA = True
except Exception:  # pragma: no cover - numba missing or broken
    _HAVE_NUMBA = False


#: from this grid size on (a 1280x720 sensor's 5 bins: 4.6 M voxels, 18 MB) the numba path adds
#: the events band of rows by band (``_voxel_rows_numba``, the same grid bit for bit): 1.6-2x
#: faster there; slower on grids that fit the caches better (640x480: 0.8x, 346x260: 0.9x)
ROWS_MIN_VOXELS = 3_000_000


def _as_device(device) -> torch.device:
    return device if isinstance(device, torch.device) else torch.device(device)


def voxel_grid(events: np.ndarray, num_bins: int, width: int, height: int, *, device="cpu",
               normalize: bool = True, backend: str = "auto") -> torch.Tensor:
    """Voxel grid ``[num_bins, height, width]`` float32 of one window of events.

    Parameters:
        events: ``EVENT_DTYPE`` array (any order; time range = min..max t); another
            structured array with integer ``t``, ``x``, ``y``, ``p`` is converted, anything
            else is a ``TypeError``.
        num_bins: temporal bins B (5 for our models).
        width, height: sensor size; events outside it are ignored.
        device: torch device the grid is built on ("cpu", "cuda", ...).
        normalize: mean/std normalisation over non-zero voxels (E2VID).
        backend: "auto" (numba on CPU, torch elsewhere), "numba" or "torch".

    Example::

        vox = voxel_grid(window.events, 5, 346, 260)           # CPU tensor [5, 260, 346]
        vox = voxel_grid(ev, 5, 1280, 720, device="cuda")       # built on the GPU
    """
    return _grid(events, num_bins, width, height, device, normalize, backend, count_channel=False)


#: the count channel's scale per net event: a pixel's few events per window then sit in
#: about the range of the normalised bins
COUNT_SCALE = 0.25


def model_voxel(events: np.ndarray, num_bins: int, width: int, height: int, *, count_channel: bool = False,
                device="cpu", backend: str = "auto") -> torch.Tensor:
    """A model's input of one window: the normalised voxel grid ``[num_bins, H, W]`` and,
    with ``count_channel``, one more channel ``[num_bins + 1, H, W]``: the window's signed
    event count per pixel (ON - OFF, i.e. the unnormalised grid summed over the bins) times
    :data:`COUNT_SCALE`. The normalisation keeps where and when events fell but drops how
    many, i.e. how far log intensity moved; the count keeps it. Without ``count_channel``
    this is :func:`voxel_grid`, bit for bit. Arguments as there; ``count_channel`` from the
    model (``nn.registry.model_count_channel``).

    Example::

        vox = model_voxel(window.events, 5, 346, 260, count_channel=True)   # [6, 260, 346]
    """
    return _grid(events, num_bins, width, height, device, True, backend, count_channel=bool(count_channel))


def _grid(events: np.ndarray, num_bins: int, width: int, height: int, device, normalize: bool, backend: str,
          count_channel: bool) -> torch.Tensor:
    """:func:`voxel_grid` and :func:`model_voxel`: the count is summed before normalising."""
    if num_bins < 1:
        raise ValueError("num_bins must be >= 1")
    dev = _as_device(device)
    events = as_events(events, lambda what: TypeError(
        f"voxel_grid: events must be {EVENTS_TEXT}, got {what} "
        "(evfocus_live.events.from_arrays(t_us, x, y, p) packs columns)"))
    if backend == "auto":
        backend = "numba" if (dev.type == "cpu" and _HAVE_NUMBA) else "torch"
    if len(events) == 0:
        return torch.zeros((num_bins + count_channel, height, width), dtype=torch.float32, device=dev)
    count = None
    if backend == "numba":
        if not _HAVE_NUMBA:
            raise RuntimeError("numba backend requested but numba is unavailable")
        # the count's channel allocated with the bins (a view each): no copy of the whole grid
        # to append it (torch.cat: 6 of 32 ms at 1280x720)
        full = np.zeros((num_bins + count_channel, height, width), dtype=np.float32)
        out = full[:num_bins]
        kernel = _voxel_rows_numba if ROWS_MIN_VOXELS <= out.size < 2**31 else _voxel_numba
        kernel(events["t"], events["x"], events["y"], events["p"], num_bins, out)
        vox = torch.from_numpy(full)
        if count_channel:
            torch.sum(vox[:num_bins], 0, out=vox[num_bins]).mul_(COUNT_SCALE)
        if normalize:
            _normalize_numba(out.reshape(-1))  # in place: vox shares its memory
    elif backend == "torch":
        vox = _voxel_torch(events, num_bins, width, height, dev)
        if count_channel:
            count = vox.sum(0, keepdim=True) * COUNT_SCALE
        if normalize:
            vox = normalize_voxel(vox)
    else:
        raise ValueError(f"unknown voxel backend {backend!r}")
    if count is not None:
        vox = torch.cat([vox, count])
    return vox.to(dev) if vox.device != dev else vox


def _columns_on(events: np.ndarray, dev: torch.device) -> tuple[torch.Tensor, ...]:
    """(x, y as int64, t int64, p uint8) of an event array on ``dev``.

    A contiguous array goes over as its raw 13-byte records in one copy and is split into
    columns on the device: four strided host copies and four transfers cost more than the
    scatter itself on a GPU at ~1 M events per window.
    """
    if events.dtype == EVENT_DTYPE and events.flags.c_contiguous:
        raw = torch.from_numpy(events.view(np.uint8)).to(dev, non_blocking=False).view(-1, EVENT_DTYPE.itemsize)
        # reshape, not contiguous(): a one-event [1, 8] slice counts as contiguous with its row
        # stride of 13 bytes, and a dtype view then fails
        t = raw[:, 0:8].reshape(-1).view(torch.int64)
        xy = raw[:, 8:12].reshape(-1).view(torch.int16).view(-1, 2).long() & 0xFFFF
        return xy[:, 0], xy[:, 1], t, raw[:, 12]
    cols = (torch.from_numpy(np.ascontiguousarray(events[k])).to(dev) for k in ("x", "y", "t", "p"))
    x, y, t, p = cols
    return x.long(), y.long(), t, p


def _voxel_torch(events: np.ndarray, num_bins: int, width: int, height: int, dev: torch.device) -> torch.Tensor:
    """Vectorised construction with ``index_add_`` (accumulating) on ``dev``."""
    x, y, t, p = _columns_on(events, dev)
    tmin = t.min()  # time range over all events of the window, as the numba kernel does
    span = (t.max().double() - tmin.double()).clamp_min(1)  # float64: int64 overflows past 2^63 us
    keep = (x < width) & (y < height)
    if not bool(keep.all()):
        x, y, t, p = x[keep], y[keep], t[keep], p[keep]
        if x.numel() == 0:
            return torch.zeros((num_bins, height, width), dtype=torch.float32, device=dev)
    ts = ((t.double() - tmin.double()) * ((num_bins - 1) / span)).to(torch.float32)
    ti = ts.floor().clamp(0, num_bins - 1)
    d = (ts - ti).clamp(0, 1)
    ti = ti.long()
    pol = (p > 0).to(torch.float32) * 2.0 - 1.0  # any non-zero p is ON, as in the numba kernel
    hw = height * width
    idx = x + width * y + hw * ti
    flat = torch.zeros(num_bins * hw + hw, dtype=torch.float32, device=dev)
    flat.index_add_(0, idx, pol * (1.0 - d))
    flat.index_add_(0, idx + hw, pol * d)  # ti == last bin has d == 0; spills into the dropped tail
    return flat[: num_bins * hw].view(num_bins, height, width)


def normalize_voxel(vox: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """E2VID normalisation: non-zero voxels to mean 0 / std 1 (population), zeros stay 0."""
    nonzero = vox != 0
    n = nonzero.sum()
    if int(n) == 0:
        return vox
    mean = vox.sum() / n
    var = (vox * vox).sum() / n - mean * mean
    std = torch.sqrt(var.clamp_min(0.0))
    scale = torch.where(std > eps, 1.0 / std.clamp_min(eps), torch.ones_like(std))
    return torch.where(nonzero, (vox - mean) * scale, torch.zeros_like(vox))


def pad_to_multiple(x: torch.Tensor, multiple: int = 8, mode: str = "constant") -> tuple[torch.Tensor, tuple[int, int]]:
    """Pad the last two dims (bottom/right) up to a multiple; returns (padded, (H, W)).

    Three stride-2 encoder levels need H, W divisible by 8 (346x260 -> 352x264).
    """
    h, w = x.shape[-2], x.shape[-1]
    ph = (-h) % multiple
    pw = (-w) % multiple
    if ph or pw:
        if mode == "constant":
            x = F.pad(x, (0, pw, 0, ph))
        else:
            x = F.pad(x, (0, pw, 0, ph), mode=mode)
    return x, (h, w)


def crop(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Undo :func:`pad_to_multiple`: keep the top-left ``size`` = (H, W)."""
    h, w = size
    return x[..., :h, :w]
