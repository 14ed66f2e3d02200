"""Thin-lens defocus: circle of confusion per depth, PSFs, and layered compositing.

Defocus is applied in *linear* intensity (photons add up, gamma-encoded values do not).
Occlusion approximation: each layer's premultiplied intensity and its alpha are blurred
with that layer's PSF and composited back to front ("blur then over"). This is exact
for a single layer and for layers at the same depth; at occlusion boundaries between
layers at different depths it misses the partial visibility of the far layer behind a
blurred near edge (a real lens sees "around" a blurred occluder), which is the usual
approximation in layered defocus renderers and small at these blur sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: sigma of the Gaussian PSF per unit circle-of-confusion diameter (0.3-0.5 in the
#: literature; a disk of diameter c has per-axis std c/4, a Gaussian fit ~0.4c)
COC_TO_SIGMA = 0.4

#: below this sigma (px) a layer is taken as sharp
SIGMA_EPS = 0.05


@dataclass(frozen=True)
class Lens:
    """Thin lens + sensor geometry (SI units in the names).

    Parameters:
        focal_length_mm: lens focal length f.
        f_number: N; the aperture diameter is A = f / N.
        pixel_pitch_um: sensor pixel size (DAVIS346: 18.5 um).

    Example::

        lens = Lens(12.0, 1.4, 18.5)
        lens.sigma_px(depth_m=0.5, focus_m=1.0)   # -> ~2.3 px
    """

    focal_length_mm: float = 12.0
    f_number: float = 1.4
    pixel_pitch_um: float = 18.5

    @property
    def aperture_mm(self) -> float:
        return self.focal_length_mm / self.f_number

    def coc_mm(self, depth_m, focus_m):
        """Circle-of-confusion diameter c = A |d - d_f| / d * f / (d_f - f)."""
        f = self.focal_length_mm * 1e-3
        d = np.asarray(depth_m, dtype=np.float64)
        df = np.asarray(focus_m, dtype=np.float64)
        c_m = self.aperture_mm * 1e-3 * np.abs(d - df) / d * f / np.maximum(df - f, 1e-6)
        return c_m * 1e3

    def sigma_px(self, depth_m, focus_m):
        """Gaussian PSF sigma in pixels for an object at ``depth_m`` with focus at ``focus_m``."""
        return COC_TO_SIGMA * self.coc_mm(depth_m, focus_m) * 1e3 / self.pixel_pitch_um

    def sigma_px_scalar(self, depth_m: float, focus_m: float) -> float:
        """:meth:`sigma_px` for two floats, without numpy overhead (called per render)."""
        f = self.focal_length_mm * 1e-3
        c_m = self.aperture_mm * 1e-3 * abs(depth_m - focus_m) / depth_m * f / max(focus_m - f, 1e-6)
        return COC_TO_SIGMA * c_m / (self.pixel_pitch_um * 1e-6)

    def gain_px_m(self, focus_m: float) -> float:
        """K such that sigma_px = K |1/d_f - 1/d| (exact for fixed focus distance)."""
        f = self.focal_length_mm * 1e-3
        return float(COC_TO_SIGMA * self.aperture_mm * 1e-3 * f * focus_m
                     / max(focus_m - f, 1e-6) / (self.pixel_pitch_um * 1e-6))


def disk_kernel(sigma_px: float) -> np.ndarray:
    """Anti-aliased uniform disk with per-axis std ``sigma_px`` (radius 2 sigma)."""
    r = 2.0 * sigma_px
    n = int(np.ceil(r)) + 1
    ss = 4  # supersampling for the anti-aliased rim
    g = (np.arange(-n * ss, (n + 1) * ss) + 0.5) / ss - 0.5
    yy, xx = np.meshgrid(g, g, indexing="ij")
    inside = (xx ** 2 + yy ** 2 <= r * r).astype(np.float32)
    k = inside.reshape(2 * n + 1, ss, 2 * n + 1, ss).mean(axis=(1, 3))
    return (k / k.sum()).astype(np.float32)


def blur(img: np.ndarray, sigma_px: float, psf: str = "gaussian",
         border: int = cv2.BORDER_REFLECT_101) -> np.ndarray:
    """Blur a float32 image with the defocus PSF (``"gaussian"`` or ``"disk"``)."""
    if sigma_px < SIGMA_EPS:
        return img
    if psf == "gaussian":
        return cv2.GaussianBlur(img, (0, 0), float(sigma_px), borderType=border)
    if psf == "disk":
        return cv2.filter2D(img, -1, disk_kernel(float(sigma_px)), borderType=border)
    raise ValueError(f"unknown psf {psf!r} (gaussian, disk)")


def composite(layers) -> np.ndarray:
    """Back-to-front "over" of ``(premultiplied_intensity, alpha)`` pairs (far first).

    The first (background) layer is opaque; ``alpha`` may be ``None`` for it.
    """
    out = None
    for prem, alpha in layers:
        if out is None:
            out = prem.copy()
        else:
            out *= 1.0 - alpha
            out += prem
    return out


def to_linear(display: np.ndarray) -> np.ndarray:
    """Display-referred [0, 1] -> linear intensity (gamma 2.2)."""
    return np.power(np.clip(display, 0.0, 1.0), 2.2, dtype=np.float32)


def to_display_u8(linear: np.ndarray) -> np.ndarray:
    """Linear [0, 1] -> 8-bit display-referred (gamma 1/2.2)."""
    d = np.power(np.clip(linear, 0.0, 1.0), 1.0 / 2.2, dtype=np.float32)
    return (d * 255.0 + 0.5).astype(np.uint8)
