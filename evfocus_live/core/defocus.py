"""The defocus readout: one number (blur sigma, px) for a frame's defocus map.

Blur is only observable where the scene has structure, i.e. where events fire: in flat
regions a defocus map can only repeat its prior (~4 px for the shipped light model,
whatever the lens does). The plain frame mean is dominated by those regions, so the
readout weights the map by the window's event activity, smoothed over a few pixels
(an edge's blur spreads its events sideways). The viewer's bar, ``evfocus eval``'s
readout columns and ``bench/focus_readout.py`` all use this one definition (those two pass
no event count: their windows are dense, 0.35 events per pixel).

A window with few events has too little structure to weigh: its readout slides to the
model's empty-window prior (~3 px), so below ``MIN_READOUT_EVENTS_PER_PX`` it is undefined
(None: the viewer's meter shows "-"), not a confident wrong number.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np
import torch
import torch.nn.functional as F

#: spatial smoothing of the activity weights (px): about the width of a blurred edge's event band
ACTIVITY_SMOOTH_PX = 4.0

#: the sparsest window (events per pixel of the map) whose readout is given. Measured with the
#: shipped evfocus model on the simulated camera (bench/focus_readout.py's windows, 0.35 ev/px,
#: each subsampled at random from the warm state of the full stream, 8-27 windows a case;
#: a window's first events, as a cut-short window has: text alike, natural half as far):
#: the readout's mean departure from the full window's, natural in focus | text defocused
#: (full 1.78 | 4.63 px):  0.21 ev/px 0.14 | 0.35 px;  0.105: 0.37 | 0.78;  0.07: 0.52 | 1.07;
#: 0.035: 0.78 | 1.42;  0.0035: 1.11 | 1.56 (the prior: 2.89 | 3.06 px). Below 0.1 ev/px the
#: readout has gone half the way or more to the prior, against 0.1-0.2 px of window-to-window
#: noise; a looped file's leftover (1,881 of 107,520 events at 640x480: 0.006) and a
#: 200-byte file's 11-event windows are far below it.
#: (The adaptive window mode's floor, 0.05 ev/px, is under it: a quiet scene there reads "-".)
MIN_READOUT_EVENTS_PER_PX = 0.1


def _ksize(smooth_px: float) -> int:
    return int(round(smooth_px * 8 + 1)) | 1  # OpenCV's own choice for float images (4 sigma each side)


try:  # numba is a dependency; keep the numpy path usable without it (as core.voxel does)
    import numba

    @numba.njit(cache=True, nogil=True)
    def _abs_sum_numba(vox, out):  # pragma: no cover - compiled
        """``out[i] = |vox[0, i]| + |vox[1, i]| + ...`` left to right, as numpy's and torch's sum
        over the first axis add (so the same bits), without their |voxel| temporary (18 MB at
        1280x720, page faults and all). A pass over ``out`` per bin: each vectorises (one loop
        over the bins per pixel, or bands of pixels, measured 1.5-5x slower)."""
        n = vox.shape[1]
        for i in range(n):
            out[i] = abs(vox[0, i])
        for k in range(1, vox.shape[0]):
            for i in range(n):
                out[i] += abs(vox[k, i])

    _HAVE_NUMBA = True
except Exception:  # pragma: no cover - numba missing or broken
    _HAVE_NUMBA = False


def abs_sum_bins(voxel: np.ndarray, backend: str = "auto") -> np.ndarray:
    """The summed magnitude over bins [H,W] float32 of a voxel grid [bins,H,W] (signed): the
    activity before smoothing. One pass with numba (``backend`` "auto"/"numba"), the very bits
    of ``np.abs(voxel).sum(0)`` (``backend="numpy"``) and of torch's ``abs().sum(0)``, which
    the pipeline ran before: the readout's weights 1.6-1.8x faster, 8.0 -> 4.4 ms at 1280x720
    (``bench/bench_frame_overhead.py``)."""
    if backend not in ("auto", "numpy", "numba"):
        raise ValueError(f"unknown backend {backend!r}")
    if backend == "numba" and not _HAVE_NUMBA:
        raise RuntimeError("numba backend requested but numba is unavailable")
    v = np.asarray(voxel, np.float32)
    if v.ndim != 3 or not v.shape[0] or backend == "numpy" or not _HAVE_NUMBA:
        return np.abs(v).sum(0)
    out = np.empty(v.shape[1:], np.float32)
    _abs_sum_numba(np.ascontiguousarray(v).reshape(v.shape[0], -1), out.reshape(-1))
    return out


def warm_abs_sum_bins() -> None:
    """Compile (or load from numba's cache) :func:`abs_sum_bins`' kernel for the types the
    readout passes: 0.3-0.55 s once in a process where no numba code ran yet, which the first
    frame's readout paid after the model's warm-up had ended (unsaid). The pipeline calls it in
    the model's first-window step; a no-op in time once done. A kernel that does not compile
    (a broken numba or LLVM) is said once and the numpy sum (the same bits) is used from then
    on: it raised out of the warm-up, with "preparing the model" left on show, then at every
    frame's readout."""
    global _HAVE_NUMBA
    if not _HAVE_NUMBA:
        return
    try:
        abs_sum_bins(np.zeros((1, 1, 1), np.float32))
    except Exception as exc:
        _HAVE_NUMBA = False
        text = str(exc).strip().splitlines()
        logging.getLogger(__name__).warning("the defocus readout's numba kernel did not compile (%s: %s): "
                                            "numpy's sum is used", type(exc).__name__, text[0] if text else "")


def activity_weights(voxel: np.ndarray, smooth_px: float = ACTIVITY_SMOOTH_PX) -> np.ndarray:
    """Per-pixel weights [H,W] float32 from a voxel grid [bins,H,W] (any scale, signed):
    the summed magnitude over bins, Gaussian-smoothed."""
    a = abs_sum_bins(voxel)
    return cv2.GaussianBlur(a, (_ksize(smooth_px),) * 2, smooth_px) if smooth_px > 0 else a


def activity_weights_torch(voxel: torch.Tensor, smooth_px: float = ACTIVITY_SMOOTH_PX) -> torch.Tensor:
    """``activity_weights`` for a batch [B,bins,H,W] -> [B,1,H,W] float32 on the voxel's
    device, with the same taps and border: the training loss's weights. (On a CPU OpenCV's
    blur is ~4x faster, so the live pipeline keeps the numpy one.)"""
    a = voxel.float().abs().sum(-3, keepdim=True)
    if smooth_px <= 0:
        return a
    k = _ksize(smooth_px)
    g = torch.from_numpy(cv2.getGaussianKernel(k, smooth_px, cv2.CV_32F)[:, 0]).to(a.device)
    r = k // 2
    a = F.pad(a, (r, r, r, r), mode="reflect" if min(a.shape[-2:]) > r else "replicate")  # reflect = OpenCV's default border
    return F.conv2d(F.conv2d(a, g.view(1, 1, 1, -1)), g.view(1, 1, -1, 1))


def defocus_readout_px(sigma_px: np.ndarray, weights: np.ndarray | None = None,
                       n_events: int | None = None) -> float | None:
    """The activity-weighted mean of a defocus map [H,W] (px); the plain mean where the
    window has no events (weights all zero) or no weights are given. None for an empty map,
    and for a window of ``n_events`` (when given) under ``MIN_READOUT_EVENTS_PER_PX``."""
    s = np.asarray(sigma_px, np.float32).reshape(np.shape(sigma_px)[-2:])
    if not s.size or (n_events is not None and n_events < MIN_READOUT_EVENTS_PER_PX * s.size):
        return None
    if weights is not None:
        w = np.asarray(weights, np.float32).reshape(s.shape)
        total = float(w.sum())
        if total > 0 and np.isfinite(total):
            return float((s * w).sum() / total)
    return float(s.mean())
