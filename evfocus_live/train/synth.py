"""A minimal defocus event simulator for tests and as a training-data fallback.

The project's simulator (``evfocus_live.simulate``) is the real one (depth layers,
thin-lens optics, noise models). This one is deliberately small: a random texture moving
in the image plane, a Gaussian defocus of sigma px (constant per sequence, or swept
through focus), ESIM-style log-intensity threshold crossings with linearly interpolated
timestamps, per-pixel threshold mismatch, a little background noise. It writes the
same ``.h5`` layout as the simulator (``/events`` + ``/frames``), so the dataset and
evaluation code run on either.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ..events import EVENT_DTYPE


def _texture(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Random piecewise-smooth + textured image in linear intensity [0.05, 1]."""
    img = np.full((h, w), rng.uniform(0.2, 0.6), np.float32)
    for _ in range(int(rng.integers(8, 20))):
        c = float(rng.uniform(0.05, 1.0))
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        s = int(rng.integers(4, max(6, min(h, w) // 3)))
        kind = rng.integers(0, 3)
        if kind == 0:
            cv2.circle(img, (x, y), s, c, -1, cv2.LINE_AA)
        elif kind == 1:
            cv2.rectangle(img, (x, y), (x + s, y + int(rng.integers(4, s + 5))), c, -1)
        else:
            cv2.line(img, (x, y), (x + int(rng.integers(-s, s)), y + int(rng.integers(-s, s))), c,
                     int(rng.integers(1, 4)), cv2.LINE_AA)
    fine = cv2.resize(rng.uniform(0, 1, (h // 4 + 1, w // 4 + 1)).astype(np.float32), (w, h),
                      interpolation=cv2.INTER_NEAREST)
    img = img * (0.75 + 0.25 * fine)
    return np.clip(img, 0.05, 1.0)


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma) if sigma > 0.05 else img


def simulate_minimal(path: str | Path, width: int = 128, height: int = 96, n_frames: int = 40, fps: float = 50.0,
                     sigma_range: tuple[float, float] = (0.0, 4.0), focus_sweep: bool = False, seed: int = 0,
                     substeps: int = 8, contrast_threshold: float | None = None) -> Path:
    """Write one sequence ``path`` (.h5, our layout with ``/frames``); returns the path."""
    import h5py

    rng = np.random.default_rng(seed)
    margin = 64
    tex = _texture(rng, height + 2 * margin, width + 2 * margin)
    speed = rng.uniform(20, 120)  # px/s
    ang = rng.uniform(0, 2 * np.pi)
    vx, vy = speed * np.cos(ang), speed * np.sin(ang)
    rot = rng.uniform(-0.3, 0.3)  # rad/s
    lo, hi = sigma_range
    sigma0 = rng.uniform(lo, hi)
    C = contrast_threshold or rng.uniform(0.15, 0.5)
    Cpix = np.clip(rng.normal(C, 0.03, (height, width)), 0.05, None).astype(np.float32)
    gain = rng.uniform(0.4, 1.0)  # lighting
    dt_us = 1e6 / fps

    def render(t_s: float, sig: float) -> tuple[np.ndarray, np.ndarray]:
        cx, cy = (width + 2 * margin) / 2, (height + 2 * margin) / 2
        m = cv2.getRotationMatrix2D((cx, cy), np.degrees(rot * t_s), 1.0)
        m[0, 2] += vx * t_s - margin + 0 * cx
        m[1, 2] += vy * t_s - margin
        img = cv2.warpAffine(tex, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        img = img * gain
        return img, _blur(img, sig)

    def sigma_at(k: float) -> float:
        if not focus_sweep:
            return sigma0
        return hi * abs(1 - 2 * k / max(1, n_frames - 1))  # hi -> 0 (in focus) -> hi

    eps = 1e-3
    _, b0 = render(0.0, sigma_at(0))
    ref = np.log(b0 + eps)
    chunks = []
    sharp = np.empty((n_frames, height, width), np.uint8)
    blurred = np.empty_like(sharp)
    sig_maps = np.empty((n_frames, height, width), np.float16)
    t_frames = (np.arange(n_frames) * dt_us).astype(np.int64)
    prev_t = 0.0
    prev_log = ref.copy()
    for k in range(n_frames):
        if k > 0:
            for s in range(1, substeps + 1):
                kk = k - 1 + s / substeps
                t_us = kk * dt_us
                _, b = render(t_us / 1e6, sigma_at(kk))
                cur = np.log(b + eps)
                diff = cur - ref
                n = np.floor(np.abs(diff) / Cpix).astype(np.int64)
                ys, xs = np.nonzero(n)
                if len(ys):
                    cnt = n[ys, xs]
                    pol = diff[ys, xs] > 0
                    rep = np.repeat(np.arange(len(ys)), cnt)
                    j = np.arange(len(rep)) - np.repeat(np.cumsum(cnt) - cnt, cnt) + 1
                    d_lo, d_hi = prev_log[ys, xs][rep], cur[ys, xs][rep]
                    level = ref[ys, xs][rep] + np.where(pol[rep], 1, -1) * j * Cpix[ys, xs][rep]
                    frac = np.clip((level - d_lo) / np.where(np.abs(d_hi - d_lo) > 1e-9, d_hi - d_lo, 1), 0, 1)
                    ev = np.empty(len(rep), EVENT_DTYPE)
                    ev["t"] = (prev_t + frac * (t_us - prev_t)).astype(np.int64)
                    ev["x"], ev["y"], ev["p"] = xs[rep], ys[rep], pol[rep]
                    chunks.append(ev)
                    ref[ys, xs] += np.where(pol, 1, -1) * cnt * Cpix[ys, xs]
                n_noise = rng.poisson(0.002 * width * height / substeps)
                if n_noise:
                    ev = np.empty(n_noise, EVENT_DTYPE)
                    ev["t"] = rng.uniform(prev_t, t_us, n_noise).astype(np.int64)
                    ev["x"], ev["y"] = rng.integers(0, width, n_noise), rng.integers(0, height, n_noise)
                    ev["p"] = rng.integers(0, 2, n_noise)
                    chunks.append(ev)
                prev_t, prev_log = t_us, cur
        s_img, b_img = render(t_frames[k] / 1e6, sigma_at(k))
        sharp[k] = np.clip(s_img * 255 + 0.5, 0, 255).astype(np.uint8)
        blurred[k] = np.clip(b_img * 255 + 0.5, 0, 255).astype(np.uint8)
        sig_maps[k] = sigma_at(k)
    events = np.concatenate(chunks) if chunks else np.empty(0, EVENT_DTYPE)
    events = events[np.argsort(events["t"], kind="stable")]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        f.attrs.update(width=width, height=height, sensor="evfocus-live-minsim", format="evfocus-h5", seed=seed,
                       sigma_range=np.array([lo, hi], np.float32), focus_sweep=focus_sweep,
                       contrast_threshold=float(C))
        g = f.create_group("events")
        for key in ("t", "x", "y", "p"):
            g.create_dataset(key, data=events[key], compression="gzip", compression_opts=1, chunks=True)
        fr = f.create_group("frames")
        fr.create_dataset("t_us", data=t_frames)
        fr.create_dataset("sharp", data=sharp, compression="gzip", compression_opts=1)
        fr.create_dataset("blurred", data=blurred, compression="gzip", compression_opts=1)
        fr.create_dataset("sigma", data=sig_maps, compression="gzip", compression_opts=1)
        fr.create_dataset("depth", data=np.ones_like(sig_maps), compression="gzip", compression_opts=1)
    return path
