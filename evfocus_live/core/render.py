"""Event images for display: polarity colours, decaying accumulator, time surface.

Everything returns C-contiguous uint8 ``H x W x 3`` RGB, which pyqtgraph paints without
conversion. The per-window polarity image, drawn for every frame, is one numba pass over
the events (4x the bincount version: 10 vs 44 ms for 1 M events at 1280x720, where it was a
large part of the pipeline's work around a GPU model). The viewer's decay and time-surface
panes are fed every source batch (each 2 ms of a replay) and painted up to 50 times a
second, so their whole-sensor passes are numba loops too, with no temporaries: at 1280x720
the numpy versions took 1.4-2.8 ms per 2 ms batch (more than a core) and 49 ms per
time-surface paint (``bench/bench_pipeline_overhead.py``). Each numba path does the very
float32 operations of its numpy version in the same order (``np.exp`` stays numpy's), so
the two give bit-identical potentials and images; the numpy versions stay as fallback
(``backend="numpy"``).
"""

from __future__ import annotations

from typing import get_args

import numpy as np

from ..config import PaletteName
from ..events import EVENT_DTYPE

__all__ = ["event_image", "EventAccumulator", "TimeSurface", "PALETTES", "PALETTE_CHOICES", "palette_colours",
           "recolour", "crop_and_bin"]

#: background, ON, OFF, both (pixel got as many ON as OFF events) as RGB; ``acc``: the decaying
#: accumulator's (bg, ON, OFF) ramp ends, None for its grey ramp (grey, white ON, black OFF: DV's
#: accumulator look, what the dark palette has always shown there). ``gray`` tells polarity by
#: brightness alone (colour-blind safe); ``coolwarm`` is Metavision's look (ON warm red, OFF cool blue)
PALETTES = {
    "dark": dict(bg=(18, 18, 24), on=(70, 170, 255), off=(255, 80, 60), both=(200, 200, 200), acc=None),
    "white": dict(bg=(255, 255, 255), on=(20, 80, 230), off=(220, 30, 30), both=(110, 110, 110),
                  acc=((255, 255, 255), (20, 80, 230), (220, 30, 30))),
    "gray": dict(bg=(128, 128, 128), on=(255, 255, 255), off=(0, 0, 0), both=(170, 170, 170), acc=None),
    "coolwarm": dict(bg=(221, 221, 221), on=(180, 4, 38), off=(59, 76, 192), both=(120, 120, 120),
                     acc=((221, 221, 221), (180, 4, 38), (59, 76, 192))),
}
#: other names taken for a palette (Metavision's "Light" is the white one)
PALETTE_ALIASES = {"light": "white"}
PALETTES.update({alias: PALETTES[name] for alias, name in PALETTE_ALIASES.items()})  # (PALETTES["light"] too)
#: the names ``--palette`` and the settings file take
PALETTE_CHOICES = get_args(PaletteName)


def palette_colours(name: str) -> dict:
    """The colours of palette ``name`` (an alias too); ValueError naming the choices otherwise."""
    key = PALETTE_ALIASES.get(name, name) if isinstance(name, str) else name
    if key not in PALETTES:
        raise ValueError(f"unknown palette {name!r} (choose from {', '.join(PALETTE_CHOICES)})")
    return PALETTES[key]


def _flat_index(events: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    x = events["x"].astype(np.int64)
    y = events["y"].astype(np.int64)
    keep = (x < width) & (y < height)
    idx = y * width + x
    if not keep.all():
        return idx[keep], keep
    return idx, keep


try:  # numba is a dependency; keep the numpy path usable without it (as core.voxel does)
    import numba

    @numba.njit(cache=True, nogil=True)
    def _polarity_numba(x, y, p, width, height, lut, out):  # pragma: no cover - compiled
        npx = width * height
        net = np.zeros(npx, np.int32)
        cnt = np.zeros(npx, np.int32)
        for i in range(x.shape[0]):
            xi = x[i]
            yi = y[i]
            if xi < width and yi < height:
                k = yi * width + xi
                cnt[k] += 1
                net[k] += 1 if p[i] > 0 else -1
        for k in range(npx):
            n = net[k]
            c = 1 if n > 0 else (2 if n < 0 else (3 if cnt[k] > 0 else 0))
            out[k, 0] = lut[c, 0]
            out[k, 1] = lut[c, 1]
            out[k, 2] = lut[c, 2]

    @numba.njit(cache=True, nogil=True)
    def _acc_weights_numba(x, y, p, t, width, height, t_now, contribution, decay_us, idx, w, arg):  # pragma: no cover
        """The numpy path's per-event terms of the events inside the sensor, in one pass: flat
        pixel index, ``(float32(p) * 2 - 1) * contribution`` and the exponent
        ``-float32(t_now - t) / decay_us`` (float32, in that order); returns how many."""
        two = np.float32(2.0)
        one = np.float32(1.0)
        n = 0
        for i in range(x.shape[0]):
            xi = x[i]
            yi = y[i]
            if xi < width and yi < height:
                idx[n] = yi * width + xi
                w[n] = (np.float32(p[i]) * two - one) * contribution
                arg[n] = -np.float32(t_now - t[i]) / decay_us
                n += 1
        return n

    @numba.njit(cache=True, nogil=True)
    def _acc_add_numba(potential, factor, idx, w, scratch):  # pragma: no cover - compiled
        """``potential = potential * factor + float32(bincount(idx, w))``, as the numpy path
        does it (float64 sums in event order, one float32 rounding, then the add), with one
        light pass over the sensor and the sums added at the event pixels only: ``scratch``
        (float64, all zero) is zero again after.

        Bit for bit: ``+ 0.0`` is what the numpy path adds where no event fell (it turns a
        decayed -0.0 into +0.0); where events fell, their sum is a whole multiple of the
        smallest float32 step, so it is 0.0 (adding it changes nothing, after that pass) or
        a float32 of at least that step (never -0.0)."""
        zero = np.float32(0.0)
        for k in range(potential.shape[0]):
            potential[k] = potential[k] * factor + zero
        for i in range(idx.shape[0]):
            scratch[idx[i]] += np.float64(w[i])
        for i in range(idx.shape[0]):
            k = idx[i]
            v = scratch[k]
            if v != 0.0:
                potential[k] += np.float32(v)
                scratch[k] = 0.0

    @numba.njit(cache=True, nogil=True)
    def _grey_numba(potential, limit, out):  # pragma: no cover - compiled
        """EventAccumulator.render's ``(127.5 + 127.5 * clip(p / limit, -1, 1))`` as uint8 RGB."""
        half = np.float32(127.5)
        lo = np.float32(-1.0)
        hi = np.float32(1.0)
        for k in range(potential.shape[0]):
            v = min(max(potential[k] / limit, lo), hi)
            g = np.uint8(half + half * v)
            out[k, 0] = g
            out[k, 1] = g
            out[k, 2] = g

    @numba.njit(cache=True, nogil=True, boundscheck=False)
    def _acc_colour_numba(potential, limit, bg, d_on, d_off, out):  # pragma: no cover - compiled
        """EventAccumulator.render's palette ramp ``clip(bg + max(v, 0) * (on - bg) + max(-v, 0) *
        (off - bg), 0, 255)`` as uint8, ``v = clip(p / limit, -1, 1)``: the numpy path's float32
        operations in its order. ``out`` flat (H*W*3), as ``_ts_colour_numba``'s, so that the loop
        vectorises."""
        zero = np.float32(0.0)
        top = np.float32(255.0)
        lo = np.float32(-1.0)
        hi = np.float32(1.0)
        b0, b1, b2 = bg[0], bg[1], bg[2]
        n0, n1, n2 = d_on[0], d_on[1], d_on[2]
        f0, f1, f2 = d_off[0], d_off[1], d_off[2]
        for k in range(potential.shape[0]):
            v = min(max(potential[k] / limit, lo), hi)
            s_on = max(v, zero)
            s_off = max(-v, zero)
            out[3 * k] = np.uint8(min(max(b0 + s_on * n0 + s_off * f0, zero), top))
            out[3 * k + 1] = np.uint8(min(max(b1 + s_on * n1 + s_off * f1, zero), top))
            out[3 * k + 2] = np.uint8(min(max(b2 + s_on * n2 + s_off * f2, zero), top))

    @numba.njit(cache=True, nogil=True)
    def _ts_update_numba(x, y, p, t, width, height, last):  # pragma: no cover - compiled
        npx = width * height
        for i in range(x.shape[0]):
            xi = x[i]
            yi = y[i]
            if xi < width and yi < height:
                k = yi * width + xi + (npx if p[i] > 0 else 0)
                if t[i] > last[k]:
                    last[k] = t[i]

    @numba.njit(cache=True, nogil=True)
    def _ts_exponent_numba(now, last_off, last_on, tau, out):  # pragma: no cover - compiled
        """``-clip(float32(now - last), 0) / tau`` (float32), the argument of the decay's exp,
        of a band of pixels: OFF into ``out[:m]``, ON into ``out[m:]``."""
        zero = np.float32(0.0)
        m = last_off.shape[0]
        for k in range(m):
            out[k] = -max(np.float32(now - last_off[k]), zero) / tau
        for k in range(m):
            out[m + k] = -max(np.float32(now - last_on[k]), zero) / tau

    @numba.njit(cache=True, nogil=True, boundscheck=False)
    def _ts_colour_numba(s, bg, d_on, d_off, out):  # pragma: no cover - compiled
        """``clip(bg + s_on * (on - bg) + s_off * (off - bg), 0, 255)`` as uint8, per channel
        (``out`` flat, H*W*3). The colours are scalars and the channels written one by one
        so that LLVM vectorises the loop over pixels (a loop over the channels indexing
        ``bg[c]`` kept it scalar: 2 ms of a 1280x720 paint, now ~0.4)."""
        npx = out.shape[0] // 3
        zero = np.float32(0.0)
        top = np.float32(255.0)
        b0, b1, b2 = bg[0], bg[1], bg[2]
        n0, n1, n2 = d_on[0], d_on[1], d_on[2]
        f0, f1, f2 = d_off[0], d_off[1], d_off[2]
        for k in range(npx):
            s_off = s[k]
            s_on = s[npx + k]
            out[3 * k] = np.uint8(min(max(b0 + s_on * n0 + s_off * f0, zero), top))
            out[3 * k + 1] = np.uint8(min(max(b1 + s_on * n1 + s_off * f1, zero), top))
            out[3 * k + 2] = np.uint8(min(max(b2 + s_on * n2 + s_off * f2, zero), top))

    _HAVE_NUMBA = True
except Exception:  # pragma: no cover - numba missing or broken
    _HAVE_NUMBA = False


def _pick_backend(backend: str) -> str:
    if backend == "auto":
        return "numba" if _HAVE_NUMBA else "numpy"
    if backend not in ("numba", "numpy"):
        raise ValueError(f"unknown render backend {backend!r} (auto, numba or numpy)")
    if backend == "numba" and not _HAVE_NUMBA:
        raise RuntimeError("numba backend requested but numba is unavailable")
    return backend


def event_image(events: np.ndarray, width: int, height: int, *, palette: str = "dark",
                backend: str = "auto") -> np.ndarray:
    """Colour each pixel by the polarity that dominates its events in the window.

    ON-dominated pixels get ``palette['on']`` (blue in ``dark``), OFF-dominated ``palette['off']``
    (red), ties ``palette['both']``, pixels without events the background. ``palette``: a
    :data:`PALETTE_CHOICES` name.

    Example::

        rgb = event_image(window.events, 346, 260)   # uint8 (260, 346, 3)

    ``backend``: ``auto`` (numba when available), ``numba`` or ``numpy``.
    """
    pal = palette_colours(palette)
    if backend == "auto":
        backend = "numba" if _HAVE_NUMBA else "numpy"
    if backend == "numba" and events is not None and len(events):
        if not _HAVE_NUMBA:
            raise RuntimeError("numba backend requested but numba is unavailable")
        lut = np.array([pal["bg"], pal["on"], pal["off"], pal["both"]], dtype=np.uint8)
        out = np.empty((height * width, 3), dtype=np.uint8)
        _polarity_numba(events["x"], events["y"], events["p"], int(width), int(height), lut, out)
        return out.reshape(height, width, 3)
    if backend not in ("numba", "numpy"):
        raise ValueError(f"unknown event image backend {backend!r}")
    img = np.empty((height * width, 3), dtype=np.uint8)
    img[:] = pal["bg"]
    if events is not None and len(events):
        idx, keep = _flat_index(events, width, height)
        sign = events["p"][keep].astype(np.int8) * 2 - 1
        npx = width * height
        net = np.bincount(idx, weights=sign, minlength=npx)
        cnt = np.bincount(idx, minlength=npx)
        img[net > 0] = pal["on"]
        img[net < 0] = pal["off"]
        img[(net == 0) & (cnt > 0)] = pal["both"]
    return img.reshape(height, width, 3)


def recolour(img: np.ndarray, old: str, new: str) -> np.ndarray:
    """An :func:`event_image` painted in palette ``old`` as painted in ``new``: its four colours
    swapped, so that a paused viewer shows the window it holds in a new palette without its events."""
    a, b = palette_colours(old), palette_colours(new)
    if a is b:
        return img
    out = np.empty_like(img)
    out[:] = b["bg"]
    for key in ("on", "off", "both"):
        out[(img == np.asarray(a[key], np.uint8)).all(axis=2)] = b[key]
    return out


class EventAccumulator:
    """Per-pixel event integrator with exponential decay (DV's "accumulator").

    Each event adds ``contribution`` x (+1 ON / -1 OFF); the potential decays with time
    constant ``decay_ms`` on the sensor clock (``decay_ms=0``: no decay, plain
    accumulation). Rendered as grey = neutral, white = ON, black = OFF; a palette with its own
    ramp (``render(palette=...)``) goes from its background to its ON / OFF colours instead.

    Parameters:
        width, height: sensor size.
        decay_ms: exponential decay time constant in ms (0 = never decays).
        contribution: potential added per event.
        limit: potential that maps to full white/black.
        backend: ``auto`` (numba when available), ``numba`` or ``numpy``; bit-identical.

    Example::

        acc = EventAccumulator(346, 260, decay_ms=30)
        acc.update(batch)
        rgb = acc.render()
    """

    def __init__(self, width: int, height: int, decay_ms: float = 30.0, contribution: float = 0.25,
                 limit: float = 1.0, backend: str = "auto"):
        self.width, self.height = int(width), int(height)
        self.decay_ms = float(decay_ms)
        self.contribution = float(contribution)
        self.limit = float(limit)
        self.backend = _pick_backend(backend)
        self.potential = np.zeros(self.width * self.height, dtype=np.float32)
        self.t_us: int | None = None
        #: the numba path's per-pixel float64 sums, all zero between updates
        self._sums = np.zeros(self.potential.size, np.float64) if self.backend == "numba" else None

    def reset(self) -> None:
        self.potential[:] = 0
        self.t_us = None

    def _decay_factor(self, t_us: int) -> np.float32 | None:
        """The potential's decay from ``self.t_us`` to ``t_us`` (None: none), and the clock moved on."""
        factor = None
        if self.t_us is not None and self.decay_ms > 0 and t_us > self.t_us:
            factor = np.float32(np.exp(-(t_us - self.t_us) / (self.decay_ms * 1e3)))
        if self.t_us is None or t_us > self.t_us:
            self.t_us = int(t_us)
        return factor

    def decay_to(self, t_us: int) -> None:
        """Decay the potential to time ``t_us`` (no-op without decay or going back)."""
        factor = self._decay_factor(t_us)
        if factor is not None:
            self.potential *= factor

    def update(self, events: np.ndarray) -> None:
        if events is None or len(events) == 0:
            return
        t = events["t"]
        t_now = int(t.max())
        factor = self._decay_factor(t_now)
        if self.backend == "numba" and events.dtype == EVENT_DTYPE:  # (unsigned x, y: no index below 0)
            n = len(events)
            idx, w, arg = np.empty(n, np.int64), np.empty(n, np.float32), np.empty(n, np.float32)
            decay = self.decay_ms > 0
            n = _acc_weights_numba(events["x"], events["y"], events["p"], t, self.width, self.height, t_now,
                                   np.float32(self.contribution),
                                   np.float32(self.decay_ms * 1e3) if decay else np.float32(1.0), idx, w, arg)
            idx, w = idx[:n], w[:n]
            if decay:
                w *= np.exp(arg[:n])  # numpy's exp, as the numpy path: the same bits
            if self._sums is None or self._sums.size != self.potential.size:
                self._sums = np.zeros(self.potential.size, np.float64)
            # (x * 1 is x: no decay is the same pass)
            _acc_add_numba(self.potential, np.float32(1.0) if factor is None else factor, idx, w, self._sums)
            return
        idx, keep = _flat_index(events, self.width, self.height)
        w = (events["p"][keep].astype(np.float32) * 2 - 1) * self.contribution
        if self.decay_ms > 0:
            w *= np.exp(-(t_now - t[keep]).astype(np.float32) / np.float32(self.decay_ms * 1e3))
        if factor is not None:
            self.potential *= factor
        self.potential += np.bincount(idx, weights=w, minlength=self.potential.size).astype(np.float32)

    def render(self, palette: str = "dark") -> np.ndarray:
        """HxWx3 uint8 of the potential in ``palette``'s accumulator ramp (its ``acc``; grey for
        ``dark`` and ``gray``)."""
        ramp = palette_colours(palette)["acc"]
        if ramp is not None:
            return self._render_ramp(*(np.asarray(c, np.float32) for c in ramp))
        if self.backend == "numba":
            out = np.empty((self.potential.size, 3), np.uint8)
            _grey_numba(self.potential, np.float32(self.limit), out)
            return out.reshape(self.height, self.width, 3)
        v = np.clip(self.potential / self.limit, -1.0, 1.0)
        g = (127.5 + 127.5 * v).astype(np.uint8).reshape(self.height, self.width)
        return np.repeat(g[:, :, None], 3, axis=2)

    def _render_ramp(self, bg: np.ndarray, on: np.ndarray, off: np.ndarray) -> np.ndarray:
        if self.backend == "numba":
            out = np.empty(self.potential.size * 3, np.uint8)
            _acc_colour_numba(self.potential, np.float32(self.limit), bg, on - bg, off - bg, out)
            return out.reshape(self.height, self.width, 3)
        v = np.clip(self.potential / np.float32(self.limit), np.float32(-1.0), np.float32(1.0))
        s_on, s_off = np.maximum(v, np.float32(0.0)), np.maximum(-v, np.float32(0.0))
        img = bg + s_on[:, None] * (on - bg) + s_off[:, None] * (off - bg)
        return np.clip(img, 0, 255).astype(np.uint8).reshape(self.height, self.width, 3)


class TimeSurface:
    """Exponentially decaying time surface per polarity (ON in blue, OFF in red: the palette's
    ON and OFF colours, ``render(palette=...)``).

    Each pixel shows ``exp(-(t_now - t_last) / tau)`` of its most recent ON and OFF
    events. Out-of-order events are handled (per-pixel maximum). ``backend``: ``auto``
    (numba when available), ``numba`` or ``numpy``; bit-identical. Not thread-safe (the
    viewer's ``EventView`` holds a lock around it).

    The numba paint goes through the sensor in bands of ``PAINT_BAND`` pixels (exponent,
    numpy's exp, colour, each over the band's scratch while it is in cache): at 1280x720 the
    whole-sensor passes moved ~30 MB of float32 temporaries per paint through memory. The
    same float32 operations in the same order as before, so still the numpy path's bits.
    """

    #: pixels per band of the numba paint: its float32 scratch (2 x band) is 256 KB, in L2
    PAINT_BAND = 32_768

    def __init__(self, width: int, height: int, tau_ms: float = 30.0, backend: str = "auto"):
        self.width, self.height = int(width), int(height)
        self.tau_ms = float(tau_ms)
        self.backend = _pick_backend(backend)
        self.last = np.full((2, self.width * self.height), np.iinfo(np.int64).min // 2, dtype=np.int64)
        self.t_us: int | None = None
        self._exp: np.ndarray | None = None  # the numba render's float32 scratch, 2 x PAINT_BAND

    def reset(self) -> None:
        self.last[:] = np.iinfo(np.int64).min // 2
        self.t_us = None

    def update(self, events: np.ndarray) -> None:
        if events is None or len(events) == 0:
            return
        if self.backend == "numba" and events.dtype == EVENT_DTYPE:  # (unsigned x, y: no index below 0)
            _ts_update_numba(events["x"], events["y"], events["p"], events["t"], self.width, self.height,
                             self.last.reshape(-1))
            tmax = int(events["t"].max())
            self.t_us = tmax if self.t_us is None else max(self.t_us, tmax)
            return
        idx, keep = _flat_index(events, self.width, self.height)
        t = events["t"][keep]
        p = events["p"][keep].astype(np.int64) > 0
        flat = self.last.reshape(-1)
        np.maximum.at(flat, idx + p * (self.width * self.height), t)
        tmax = int(events["t"].max())
        self.t_us = tmax if self.t_us is None else max(self.t_us, tmax)

    def render(self, t_us: int | None = None, palette: str = "dark") -> np.ndarray:
        now = self.t_us if t_us is None else t_us
        if now is None:
            now = 0
        tau = max(self.tau_ms * 1e3, 1.0)
        pal = palette_colours(palette)
        bg, on, off = (np.asarray(pal[k], np.float32) for k in ("bg", "on", "off"))
        if self.backend == "numba":
            npx = self.width * self.height
            band = min(self.PAINT_BAND, max(npx, 1))
            if self._exp is None or self._exp.size != 2 * band:
                self._exp = np.empty(2 * band, np.float32)
            out = np.empty(npx * 3, np.uint8)
            now, tau, d_on, d_off = np.int64(now), np.float32(tau), on - bg, off - bg
            for a in range(0, npx, band):
                b = min(a + band, npx)
                scratch = self._exp[:2 * (b - a)]
                _ts_exponent_numba(now, self.last[0, a:b], self.last[1, a:b], tau, scratch)
                np.exp(scratch, out=scratch)  # numpy's exp, as the numpy path: the same bits
                _ts_colour_numba(scratch, bg, d_on, d_off, out[3 * a:3 * b])
            return out.reshape(self.height, self.width, 3)
        age = (now - self.last).astype(np.float32)
        s = np.exp(-np.clip(age, 0, None) / np.float32(tau))  # [2, npx]; never-seen -> 0
        img = bg + s[1][:, None] * (on - bg) + s[0][:, None] * (off - bg)
        return np.clip(img, 0, 255).astype(np.uint8).reshape(self.height, self.width, 3)


def pad_even(img: np.ndarray) -> np.ndarray:
    """``img`` [H,W(,C)] with its last row/column repeated to make both sides even: the mp4v
    encoder silently crops odd sizes (a 65x49 sensor lost its last column and row)."""
    h, w = img.shape[:2]
    if not (h % 2 or w % 2):
        return img
    return np.pad(img, ((0, h % 2), (0, w % 2)) + ((0, 0),) * (img.ndim - 2), mode="edge")


def crop_and_bin(img: np.ndarray, roi: tuple[int, int, int, int] | None, factor: int) -> np.ndarray:
    """A sensor-sized uint8 HxW frame (a DAVIS's APS frame) as the reconstruction sees the
    sensor: cropped to ``roi`` (x, y, w, h), then each ``factor`` x ``factor`` block
    averaged (rounded), the last partial block over the pixels it has, as events are
    binned (``x // factor``: ``config.downsampled_size``). So the two match pixel for pixel."""
    if roi is not None:
        x, y, w, h = roi
        img = img[y:y + h, x:x + w]
    n = int(factor)
    if n <= 1:
        return np.ascontiguousarray(img)
    h, w = img.shape[:2]
    ys, xs = np.arange(0, h, n), np.arange(0, w, n)
    sums = np.add.reduceat(np.add.reduceat(img.astype(np.uint32), ys, axis=0), xs, axis=1)
    counts = np.outer(np.diff(np.append(ys, h)), np.diff(np.append(xs, w))).astype(np.uint32)
    return ((sums + counts // 2) // counts).astype(np.uint8)
