"""The defocus readout: one number (blur sigma, px) for a frame's defocus map.

Blur is only observable where the scene has structure, i.e. where events fire: in flat
regions a defocus map can only repeat its prior (~4 px for the shipped light model,
whatever the lens does). The plain frame mean is dominated by those regions, so the
readout weights the map by the window's event activity, smoothed over a few pixels
(an edge's blur spreads its events sideways). The viewer's bar, ``evfocus eval``'s
readout columns and ``bench/focus_readout.py`` all use this one definition.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F

#: spatial smoothing of the activity weights (px): about the width of a blurred edge's event band
ACTIVITY_SMOOTH_PX = 4.0


def _ksize(smooth_px: float) -> int:
    return int(round(smooth_px * 8 + 1)) | 1  # OpenCV's own choice for float images (4 sigma each side)


def activity_weights(voxel: np.ndarray, smooth_px: float = ACTIVITY_SMOOTH_PX) -> np.ndarray:
    """Per-pixel weights [H,W] float32 from a voxel grid [bins,H,W] (any scale, signed):
    the summed magnitude over bins, Gaussian-smoothed."""
    a = np.abs(np.asarray(voxel, np.float32)).sum(0)
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


def defocus_readout_px(sigma_px: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    """The activity-weighted mean of a defocus map [H,W] (px); the plain mean where the
    window has no events (weights all zero) or no weights are given. None for an empty map."""
    s = np.asarray(sigma_px, np.float32).reshape(np.shape(sigma_px)[-2:])
    if not s.size:
        return None
    if weights is not None:
        w = np.asarray(weights, np.float32).reshape(s.shape)
        total = float(w.sum())
        if total > 0 and np.isfinite(total):
            return float((s * w).sum() / total)
    return float(s.mean())
