"""A synthetic moving-pattern event camera as an evfocus-live source plugin.

Entry point ``pattern`` in group ``evfocus_live.sources``. The scene is a set of
drifting vertical bars and a rotating checkered disc; events come from an ESIM-style
per-pixel log-intensity reference crossed by a contrast threshold, sampled every
``step_us``, so they carry the usual edge structure real sensors give. It exists to
show how a third-party source plugs in, and as a hardware-free test source.

Example::

    src = PatternSource(width=346, height=260, realtime=False)
    batch = src.read()          # EVENT_DTYPE array, time-sorted
"""

from __future__ import annotations

import math
import numbers
import time

import numpy as np

from evfocus_live.events import EVENT_DTYPE, empty
from evfocus_live.sources.base import EventSource

__all__ = ["PatternSource"]


class PatternSource(EventSource):
    """Live synthetic source: drifting bars plus a rotating checker disc.

    Parameters:
        width, height: sensor size in pixels.
        speed_px_s: bar drift speed in pixels per second (the disc turns at
            ``speed_px_s / 100`` rad/s).
        contrast_threshold: log-intensity step per event (0.1-0.5 like real DVS).
        step_us: simulation time step in µs; events inside a step share its interval.
        batch_us: sensor time per ``read()`` when ``realtime`` is False.
        realtime: pace the sensor clock to the wall clock (a "live" camera); with
            False each read advances ``batch_us`` at once (tests, benchmarks).
        seed: seed for the sub-step timestamp jitter.
    """

    format = "pattern"
    sensor = "pattern-sim"
    is_live = True

    def __init__(self, width: int = 346, height: int = 260, speed_px_s: float = 60.0,
                 contrast_threshold: float = 0.3, step_us: int = 2000, batch_us: int = 10_000,
                 realtime: bool = True, seed: int = 0, **_ignored):
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) and v == int(v)
                   for v in (width, height)):  # (64.5 became 64 without a word)
            raise ValueError(f"pattern source: width and height must be whole pixels, got {width!r}x{height!r}")
        if width < 8 or height < 8:
            raise ValueError(f"pattern source needs at least 8x8 pixels, got {width}x{height}")
        # step_us <= 0 never advanced the clock (read() spun forever); a threshold <= 0 or a
        # non-finite speed asked for infinitely many events
        if int(step_us) < 1 or int(batch_us) < 1:
            raise ValueError(f"pattern source: step_us and batch_us must be >= 1 µs, got {step_us}, {batch_us}")
        if not (math.isfinite(contrast_threshold) and contrast_threshold > 0):
            raise ValueError(f"pattern source: contrast_threshold must be > 0, got {contrast_threshold}")
        if not math.isfinite(speed_px_s):
            raise ValueError(f"pattern source: speed_px_s must be finite, got {speed_px_s}")
        self.width, self.height = int(width), int(height)
        self.speed_px_s = float(speed_px_s)
        self.contrast_threshold = float(contrast_threshold)
        self.step_us = int(step_us)
        self.batch_us = int(batch_us)
        self.realtime = bool(realtime)
        self._rng = np.random.default_rng(seed)
        yy, xx = np.mgrid[0:self.height, 0:self.width].astype(np.float32)
        cx, cy = self.width * 0.7, self.height * 0.5
        r = np.hypot(xx - cx, yy - cy)
        self._disc = r < min(self.width, self.height) * 0.3
        # only the disc pixels need the 2-D formula; bars depend on x alone
        self._disc_r = r[self._disc]
        self._disc_theta = np.arctan2(yy - cy, xx - cx)[self._disc]
        self._x1d = np.arange(self.width, dtype=np.float32)
        self._t_us = 0
        self._ref = self._log_intensity(0)
        self._wall0: float | None = None
        self._closed = False

    def _log_intensity(self, t_us: int) -> np.ndarray:
        t_s = t_us * 1e-6
        bars = np.sin((self._x1d - self.speed_px_s * t_s) * np.float32(2 * np.pi / 48.0))
        row = np.log(0.5 + 0.35 * np.tanh(4.0 * bars) + 0.05).astype(np.float32)
        img = np.repeat(row[None, :], self.height, axis=0)
        ang = self._disc_theta + np.float32(t_s * self.speed_px_s / 100.0)
        checker = np.sign(np.sin(6 * ang) * np.sin(self._disc_r * np.float32(2 * np.pi / 24.0)))
        img[self._disc] = np.log(0.5 + 0.4 * checker + 0.05)
        return img

    def _simulate(self, t_end_us: int) -> np.ndarray:
        batches = []
        c = self.contrast_threshold
        while self._t_us + self.step_us <= t_end_us:
            t0 = self._t_us
            t1 = t0 + self.step_us
            diff = self._log_intensity(t1) - self._ref
            n = np.floor(np.abs(diff) / c).astype(np.int64)
            ys, xs = np.nonzero(n)
            if len(ys):
                counts = n[ys, xs]
                pol = diff[ys, xs] > 0
                self._ref[ys, xs] += np.where(pol, 1.0, -1.0) * counts * c
                ev = np.empty(int(counts.sum()), dtype=EVENT_DTYPE)
                ev["x"] = np.repeat(xs, counts)
                ev["y"] = np.repeat(ys, counts)
                ev["p"] = np.repeat(pol, counts)
                ev["t"] = t0 + 1 + self._rng.integers(0, self.step_us, len(ev))
                batches.append(ev[np.argsort(ev["t"], kind="stable")])
            self._t_us = t1
        if not batches:
            return empty()
        return np.concatenate(batches)

    def read(self) -> np.ndarray | None:
        if self._closed:
            return None
        if not self.realtime:
            return self._simulate(self._t_us + self.batch_us)
        now = time.monotonic()
        if self._wall0 is None:
            self._wall0 = now - self._t_us * 1e-6
        target_us = int((now - self._wall0) * 1e6)
        if target_us - self._t_us < self.step_us:
            time.sleep(self.step_us * 1e-6)
            target_us = int((time.monotonic() - self._wall0) * 1e6)
        if target_us - self._t_us > 100_000:  # fell behind (paused, slow host): skip ahead
            self._t_us = target_us - 100_000
            self._ref = self._log_intensity(self._t_us)
        return self._simulate(target_us)

    def close(self) -> None:
        self._closed = True
