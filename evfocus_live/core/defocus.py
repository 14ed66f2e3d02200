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

#: spatial smoothing of the activity weights (px): about the width of a blurred edge's event band
ACTIVITY_SMOOTH_PX = 4.0


def activity_weights(voxel: np.ndarray, smooth_px: float = ACTIVITY_SMOOTH_PX) -> np.ndarray:
    """Per-pixel weights [H,W] float32 from a voxel grid [bins,H,W] (any scale, signed):
    the summed magnitude over bins, Gaussian-smoothed."""
    a = np.abs(np.asarray(voxel, np.float32)).sum(0)
    return cv2.GaussianBlur(a, (0, 0), smooth_px) if smooth_px > 0 else a


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
