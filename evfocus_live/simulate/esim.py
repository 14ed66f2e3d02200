"""ESIM-style event generation from a sequence of rendered log-intensity frames.

Each pixel keeps a reference log level; whenever the (linearly interpolated) log
intensity between two render steps crosses reference +- C, an event is emitted at the
interpolated crossing time and the reference moves by C (several crossings per step are
allowed). Thresholds vary per pixel (~N(C, 0.03)) with an ON/OFF mismatch; a refractory
period drops events that follow the pixel's last event too closely (the reference still
follows the signal, as a pixel held in reset does). Noise (background activity that
grows as light falls, and hot pixels) is generated separately as Poisson processes.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numba
import numpy as np

from ..events import EVENT_DTYPE

#: lin-log response: log below this linear intensity would amplify dark-pixel noise
LINLOG_FLOOR = 0.01


def log_intensity(lin: np.ndarray, floor: float = LINLOG_FLOOR) -> np.ndarray:
    """Lin-log transfer: ``log(I)`` above ``floor``, linear (C1-continuous) below it."""
    lin = np.asarray(lin, dtype=np.float32)
    out = cv2.log(np.maximum(lin, np.float32(floor)))  # SIMD log, ~2x numpy's
    if out.ndim != lin.ndim:  # cv2 turns 1-D input into a column
        out = out.reshape(lin.shape)
    # below the floor log(floor) is constant: add the linear part (0 above the floor)
    out += np.minimum(lin * np.float32(1.0 / floor) - np.float32(1.0), np.float32(0.0))
    return out


@numba.njit(cache=True, nogil=True)
def _crossings(L0, L1, ref, c_on, c_off, last_t, t0, t1, refractory_us):
    """Numba kernel: all threshold crossings between two log frames (flattened arrays).

    Updates ``ref`` and ``last_t`` in place; returns (t float64, idx int64, p uint8).
    """
    n = L0.size
    total = 0
    for i in range(n):
        d = L1[i] - ref[i]
        if d >= c_on[i]:
            total += int(d / c_on[i])
        elif -d >= c_off[i]:
            total += int(-d / c_off[i])
    out_t = np.empty(total, np.float64)
    out_i = np.empty(total, np.int64)
    out_p = np.empty(total, np.uint8)
    k = 0
    dt = t1 - t0
    for i in range(n):
        r = ref[i]
        d = L1[i] - r
        if d >= c_on[i]:
            c = c_on[i]
            m = int(d / c)
            pol = 1
        elif -d >= c_off[i]:
            c = -c_off[i]
            m = int(-d / c_off[i])
            pol = 0
        else:
            continue
        slope = L1[i] - L0[i]
        lt = last_t[i]
        for j in range(1, m + 1):
            lvl = r + j * c
            if slope != 0.0:
                frac = (lvl - L0[i]) / slope
            else:
                frac = 1.0
            if frac < 0.0:
                frac = 0.0
            elif frac > 1.0:
                frac = 1.0
            tk = t0 + frac * dt
            if tk - lt >= refractory_us:
                out_t[k] = tk
                out_i[k] = i
                out_p[k] = pol
                k += 1
                lt = tk
        last_t[i] = lt
        ref[i] = r + m * c
    return out_t[:k], out_i[:k], out_p[:k]


@dataclass(frozen=True)
class SensorParams:
    """Per-sequence DVS pixel parameters (sampled by the scene sampler).

    Parameters:
        c_mean: mean contrast threshold (log units); ON threshold is c_mean * on_off_ratio,
            OFF is c_mean / on_off_ratio.
        c_sigma: per-pixel threshold standard deviation (log units).
        on_off_ratio: ON/OFF threshold mismatch.
        refractory_us: dead time after each event.
        noise_rate_hz: background-activity rate per pixel at light level 1; it scales
            as 1 / light (dimmer scenes are noisier).
        hot_pixel_fraction: share of pixels that fire on their own.
        hot_pixel_rate_hz: rate of each hot pixel.
        bandwidth_hz: photoreceptor cutoff of a pixel at linear intensity 1 (0 = ideal,
            instantaneous pixel). The cutoff scales with the pixel's intensity (floored
            at 2 %), so dark pixels respond late and smear fast changes, as real DVS
            pixels do in dim light (a first-order low-pass on log intensity, exact for
            the linearly interpolated input between render steps).
    """

    c_mean: float = 0.3
    c_sigma: float = 0.03
    on_off_ratio: float = 1.0
    refractory_us: float = 100.0
    noise_rate_hz: float = 0.05
    hot_pixel_fraction: float = 0.0
    hot_pixel_rate_hz: float = 20.0
    bandwidth_hz: float = 0.0


class EventGenerator:
    """Stateful pixel array: feed log frames in time order, get events.

    Example::

        gen = EventGenerator(346, 260, SensorParams(), rng)
        gen.reset(L0, t_us=0)
        ev = gen.step(L1, t_us=1000)   # EVENT_DTYPE, sorted by t
    """

    def __init__(self, width: int, height: int, params: SensorParams, rng: np.random.Generator):
        self.width, self.height = int(width), int(height)
        self.params = params
        n = self.width * self.height
        c = np.maximum(rng.normal(params.c_mean, params.c_sigma, n), 0.02)
        self.c_on = (c * params.on_off_ratio).astype(np.float32)
        c = np.maximum(rng.normal(params.c_mean, params.c_sigma, n), 0.02)
        self.c_off = (c / params.on_off_ratio).astype(np.float32)
        self._offset = rng.uniform(-0.5, 0.5, n).astype(np.float32)
        self.ref = np.zeros(n, np.float32)
        self.last_t = np.full(n, -1e18)
        self.L = np.zeros(n, np.float32)
        self.t_us = 0.0
        n_hot = int(round(params.hot_pixel_fraction * n))
        self.hot_pixels = np.sort(rng.choice(n, size=n_hot, replace=False)) if n_hot else np.empty(0, np.int64)

    @property
    def c_min(self) -> float:
        return float(min(self.c_on.min(), self.c_off.min()))

    def reset(self, log_frame: np.ndarray, t_us: float) -> None:
        """Start from a frame: references desynchronised within +-C/2 of it."""
        L = np.ascontiguousarray(log_frame, dtype=np.float32).ravel()
        c = 0.5 * (self.c_on + self.c_off)
        self.ref = L + self._offset * c
        self.L = L.copy()
        self._x = L.copy()  # last unfiltered input (bandwidth filter)
        self.t_us = float(t_us)
        self.last_t[:] = -1e18

    @property
    def last_input(self) -> np.ndarray:
        """The last log frame given (before the pixels' low-pass): what a render step is
        measured from. Measured from the filtered state, the filter's lag looked like
        motion and pinned every step at the minimum (9x the renders at 300 Hz)."""
        return self._x

    @property
    def settled(self) -> bool:
        """The low-pass has caught up with its input (always, without one): an unchanged
        input can then make no event, and the pixel pass may be skipped."""
        return self.params.bandwidth_hz <= 0 or float(np.max(np.abs(self.L - self._x))) < 1e-4

    def step(self, log_frame: np.ndarray, t_us: float) -> np.ndarray:
        """Events in ``(previous t, t_us]`` for the move to ``log_frame``."""
        x1 = np.ascontiguousarray(log_frame, dtype=np.float32).ravel()
        L1 = self._lowpass(x1, (float(t_us) - self.t_us) * 1e-6) if self.params.bandwidth_hz > 0 else x1
        self._x = x1
        tt, idx, pol = _crossings(self.L, L1, self.ref, self.c_on, self.c_off, self.last_t,
                                  self.t_us, float(t_us), float(self.params.refractory_us))
        self.L = L1
        self.t_us = float(t_us)
        order = np.argsort(tt, kind="stable")
        ev = np.empty(len(tt), EVENT_DTYPE)
        ev["t"] = np.rint(tt[order])
        i = idx[order]
        ev["x"] = i % self.width
        ev["y"] = i // self.width
        ev["p"] = pol[order]
        return ev

    def _lowpass(self, x1: np.ndarray, dt_s: float) -> np.ndarray:
        """First-order low-pass of the log input with an intensity-dependent cutoff.

        For input moving linearly from x0 to x1 over dt (slope s) and time constant tau,
        the exact new state is ``x1 - s tau + (y0 - x0 + s tau) exp(-dt / tau)``.
        """
        x0, y0 = self._x, self.L
        if dt_s <= 0:
            return y0.copy()
        inten = np.clip(cv2.exp(x1).ravel(), 0.02, 1.0)
        tau = (1.0 / (2.0 * np.pi * self.params.bandwidth_hz)) / inten
        a = cv2.exp((-dt_s / tau).astype(np.float32)).ravel()
        s_tau = (x1 - x0) * (tau / dt_s)
        return (x1 - s_tau + (y0 - x0 + s_tau) * a).astype(np.float32)

    def noise(self, t0_us: float, t1_us: float, rng: np.random.Generator,
              light_fn=None) -> np.ndarray:
        """Background activity + hot-pixel events in ``(t0_us, t1_us]`` (unsorted).

        ``light_fn(t_us_array) -> light`` modulates the background rate as 1 / light.
        """
        p = self.params
        n_pix = self.width * self.height
        dur_s = (t1_us - t0_us) * 1e-6
        parts = []
        if p.noise_rate_hz > 0 and dur_s > 0:
            if light_fn is None:
                lmin = 1.0
            else:
                probe = np.linspace(t0_us, t1_us, 64)
                lmin = float(np.min(light_fn(probe)))
            lmin = max(lmin, 1e-3)  # the rate stops growing below light 1e-3 (thinning too)
            lam_max = p.noise_rate_hz / lmin
            n = rng.poisson(lam_max * n_pix * dur_s)
            t = rng.uniform(t0_us, t1_us, n)
            if light_fn is not None:  # thinning for the time-varying rate
                keep = rng.random(n) < (lmin / np.maximum(light_fn(t), 1e-3))
                t = t[keep]
            pix = rng.integers(0, n_pix, len(t))
            parts.append((t, pix, rng.integers(0, 2, len(t))))
        if len(self.hot_pixels) and dur_s > 0:
            counts = rng.poisson(p.hot_pixel_rate_hz * dur_s, len(self.hot_pixels))
            pix = np.repeat(self.hot_pixels, counts)
            t = rng.uniform(t0_us, t1_us, len(pix))
            parts.append((t, pix, (rng.random(len(pix)) < 0.8).astype(np.uint8)))
        if not parts:
            return np.empty(0, EVENT_DTYPE)
        t = np.concatenate([q[0] for q in parts])
        pix = np.concatenate([q[1] for q in parts])
        pol = np.concatenate([q[2] for q in parts])
        ev = np.empty(len(t), EVENT_DTYPE)
        ev["t"] = np.clip(np.ceil(t), np.ceil(t0_us + 1e-9), np.floor(t1_us))
        ev["x"] = pix % self.width
        ev["y"] = pix // self.width
        ev["p"] = pol
        return ev
