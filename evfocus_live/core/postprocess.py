"""Post-processors: frame filters after the network and event filters before it.

Contract (entry-point group ``evfocus_live.postprocessors``): a class built with
keyword options; ``stage = "frame"`` ones are called ``proc(frame_uint8_HxW, t_us)``
and return a new uint8 HxW frame; ``stage = "events"`` ones are called
``proc(events)`` and return the events they keep. ``reset()`` forgets any
state over time (seek, source change). Event filters take ``width``/``height``
keywords (the pipeline passes the sensor size). A plugin that breaks this contract
(no ``reset()``, a constructor or call that raises, a result that is not the frame) is a
one-line :class:`~evfocus_live.errors.ConfigError` naming it, never garbage output.

Built-ins: :class:`AutoHdr` (robust percentile rescaling smoothed over time),
:class:`UnsharpMask` (E2VID's: amount 0.3, sigma 1), :class:`HotPixelMask` (list
file and/or learned from the first second), :class:`NoiseFilter` (background-activity
filter).
"""

from __future__ import annotations

import logging
import math
import numbers
from pathlib import Path

import numpy as np

from ..errors import ConfigError, EvFocusError, first_line
from ..events import EVENT_DTYPE

log = logging.getLogger(__name__)

__all__ = ["number_option", "AutoHdr", "UnsharpMask", "HotPixelMask", "NoiseFilter", "read_hot_pixels",
           "build_postprocessors", "apply_event_filters", "apply_frame_filters", "step_name"]


def number_option(step: str, name: str, value, lo: float = 0.0, lo_ok: bool = True, hi: float = math.inf,
                  whole: bool = False) -> float:
    """A post-processor's numeric option, checked (finite, in range, whole with ``whole``), as a
    float; else one line naming the step, option, value and range (``--post unsharp:amount=-1``
    blurred instead of sharpening, in silence)."""
    from ..config import _number

    if isinstance(value, bool) or not isinstance(value, numbers.Real):  # (build_postprocessors: the options taken)
        raise TypeError(f"{step}: {name} must be a number, not {type(value).__name__}")
    _number(step, name, value, lo=lo, lo_ok=lo_ok, hi=hi, integer=whole, label=f"{step}: {name}")
    return float(value)


class AutoHdr:
    """Robust auto-HDR: map the [low_pct, high_pct] percentiles of the frame to 0..255.

    The percentiles are smoothed over time (exponential, time constant ``smoothing_ms``
    on the sensor clock, or ``smoothing_frames`` frames where that is shorter) so the
    brightness does not flicker from frame to frame. (Sensor time alone made 1 ms windows
    300 frames behind: the model's output warms up some 40 levels over its first few dozen
    windows, and the DAVIS346 pegboard at ``--window-ms 1`` came out 65 % white on average.)

    A range narrower than ``min_range`` grey levels is widened to it about its middle, so the
    stretch is at most ``255 / min_range`` (4x at the default 64). Why 64: a window of one or
    two events (a quiet scene, fixed-duration windows) gives a near-flat frame, within ~6 grey
    levels of the model's neutral grey, that brightens by a few levels a window as the
    recurrent state relaxes; at the old floor of 16 that ripple was stretched 16x and the
    smoothed range, lagging the drift, put 95-100 % of such a frame at full white
    (the shipped light model, 96x72 and 346x260, 2 events a window). Reconstructions of real
    scenes span 38-150 levels between the 1st and 99th percentiles (the DAVIS346 pegboard
    recording 38-80, the simulated camera 89-150), so they are still stretched to all or most
    of the range; a near-empty frame stays near mid grey.

    Parameters:
        low_pct, high_pct: percentiles mapped to black and white.
        smoothing_ms: time constant of the smoothing (0 = none).
        smoothing_frames: the time constant in frames where shorter than ``smoothing_ms``
            (short windows); about what ``smoothing_ms`` gives at the default ~35 ms windows.
        min_range: smallest intensity range (grey levels) stretched to full scale: caps the
            gain, so that the flat frame of a near-empty window is not stretched into a
            bright one.

    Example::

        hdr = AutoHdr()
        out = hdr(frame_u8, t_us)
    """

    stage = "frame"

    def __init__(self, low_pct: float = 1.0, high_pct: float = 99.0, smoothing_ms: float = 300.0,
                 min_range: float = 64.0, smoothing_frames: float = 8.0):
        low_pct = number_option("auto_hdr", "low_pct", low_pct, hi=100)
        high_pct = number_option("auto_hdr", "high_pct", high_pct, hi=100)
        if low_pct >= high_pct:
            raise ConfigError(f"auto_hdr: need low_pct < high_pct (0..100), got low_pct={low_pct:g}, "
                              f"high_pct={high_pct:g}")
        # NaN smoothing made every frame NaN (written as garbage); min_range <= 0 divided by zero on flat frames
        self.smoothing_ms = number_option("auto_hdr", "smoothing_ms", smoothing_ms)
        self.min_range = number_option("auto_hdr", "min_range", min_range, lo_ok=False)
        self.smoothing_frames = number_option("auto_hdr", "smoothing_frames", smoothing_frames, lo_ok=False)
        self.low_pct, self.high_pct = low_pct, high_pct
        self.reset()

    def reset(self) -> None:
        self._lo = self._hi = None
        self._t_us = None

    def __call__(self, frame: np.ndarray, t_us: int | None = None) -> np.ndarray:
        sample = frame[::2, ::2] if frame.size > 65536 else frame
        lo, hi = np.percentile(sample, (self.low_pct, self.high_pct))
        if self._lo is None or self.smoothing_ms <= 0:
            self._lo, self._hi = float(lo), float(hi)
        else:
            if t_us is not None and self._t_us is not None:
                dt_ms = max(0.0, (t_us - self._t_us) / 1e3)
                a = 1.0 - math.exp(-max(dt_ms / self.smoothing_ms, 1.0 / self.smoothing_frames))
            else:
                a = 0.2
            self._lo += a * (float(lo) - self._lo)
            self._hi += a * (float(hi) - self._hi)
        if t_us is not None:
            self._t_us = t_us
        lo, hi = self._lo, self._hi
        if hi - lo < self.min_range:
            mid = 0.5 * (hi + lo)
            lo, hi = mid - self.min_range / 2, mid + self.min_range / 2
        out = (frame.astype(np.float32) - lo) * np.float32(255.0 / (hi - lo))
        return np.clip(out, 0, 255).astype(np.uint8)


class UnsharpMask:
    """Unsharp mask ``f + amount * (f - G_sigma * f)`` (E2VID default 0.3, sigma 1)."""

    stage = "frame"

    def __init__(self, amount: float = 0.3, sigma: float = 1.0):
        # sigma NaN/inf: an OpenCV assertion on the first frame; a negative amount blurs instead
        self.sigma = number_option("unsharp", "sigma", sigma, lo_ok=False)
        self.amount = number_option("unsharp", "amount", amount)

    def reset(self) -> None:
        pass

    def __call__(self, frame: np.ndarray, t_us: int | None = None) -> np.ndarray:
        import cv2

        f = frame.astype(np.float32)
        blur = cv2.GaussianBlur(f, (0, 0), self.sigma, borderType=cv2.BORDER_REFLECT)
        out = f * (1.0 + self.amount) - self.amount * blur
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def read_hot_pixels(path) -> np.ndarray:
    """Hot pixels from a text file of ``x y`` lines (``#`` comments) -> int array [N, 2]."""
    p = Path(path)
    try:
        lines = p.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read hot-pixel list ({getattr(exc, 'strerror', None) or exc})") from None
    out = []
    for i, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].replace(",", " ").strip()
        if not line:
            continue
        parts = line.split()
        try:
            x, y = int(parts[0]), int(parts[1])
        except (ValueError, IndexError):
            raise ConfigError(f"{p}:{i}: expected 'x y', got {line!r}") from None
        if x < 0 or y < 0:
            raise ConfigError(f"{p}:{i}: negative pixel coordinate")
        out.append((x, y))
    return np.asarray(out, dtype=np.int64).reshape(-1, 2)


class _PixelMap:
    """Grows a per-pixel array when events outside the known size appear."""

    def __init__(self, width: int | None, height: int | None):
        self.width = int(width or 0)
        self.height = int(height or 0)

    def ensure(self, events: np.ndarray, arrays: list[np.ndarray], fill) -> list[np.ndarray]:
        if not len(events):
            return arrays
        w = max(self.width, int(events["x"].max()) + 1)
        h = max(self.height, int(events["y"].max()) + 1)
        if (w, h) == (self.width, self.height) and arrays and arrays[0].size:
            return arrays
        out = []
        for a in arrays:
            b = np.full((h, w), fill, dtype=a.dtype)
            if a.size:
                b[: self.height, : self.width] = a.reshape(self.height, self.width)
            out.append(b.reshape(-1))
        self.width, self.height = w, h
        return out


class HotPixelMask:
    """Remove events from hot pixels (stage "events").

    Hot pixels come from a list file (``path``, lines ``x y``) and/or are learned from
    the first ``learn_s`` seconds of the stream: pixels whose event count exceeds
    ``factor`` x the median count of active pixels (and ``min_count``). Events pass
    unchanged while learning.

    Parameters:
        path: optional hot-pixel list file.
        learn_s: learning period in seconds of sensor time (0 = no learning).
        factor: how far above the median a hot pixel's count must be.
        min_count: minimum event count for a hot pixel.
        width, height: sensor size (passed by the pipeline; grown on demand).

    Example::

        hp = HotPixelMask(learn_s=1.0)
        for batch in source:
            batch = hp(batch)
        hp.hot_pixels   # [[x, y], ...]
    """

    stage = "events"

    def __init__(self, path: str | None = None, learn_s: float = 1.0, factor: float = 10.0,
                 min_count: int = 20, width: int | None = None, height: int | None = None):
        self.path = path
        # (a negative learn_s learned nothing in silence, a NaN one was a ValueError; a factor
        # under 1 masks pixels quieter than the median: half the active ones, not hot ones)
        self.learn_us = int(number_option("hot_pixels", "learn_s", learn_s) * 1e6)
        self.factor = number_option("hot_pixels", "factor", factor, lo=1.0)
        self.min_count = int(number_option("hot_pixels", "min_count", min_count, whole=True))
        self._listed = read_hot_pixels(path) if path else np.zeros((0, 2), np.int64)
        lw, lh = (self._listed.max(axis=0) + 1).tolist() if len(self._listed) else (0, 0)
        if width and height and (lw > width or lh > height):
            log.warning("%s: hot-pixel list names pixels outside the %dx%d sensor", path, width, height)
        # the map holds every listed pixel: with the sensor's width, one past the edge masked
        # a pixel of the next row (or raised IndexError past the last row)
        self._map = _PixelMap(max(int(width or 0), lw), max(int(height or 0), lh))
        npx = self._map.width * self._map.height
        self._mask = np.zeros(npx, dtype=bool)
        self._counts = np.zeros(npx, dtype=np.int64)
        self._apply_listed()
        self.reset()

    def _apply_listed(self) -> None:
        if len(self._listed):
            self._mask[self._listed[:, 1] * self._map.width + self._listed[:, 0]] = True

    def reset(self) -> None:
        """Restart learning (the listed pixels stay masked)."""
        self._t0_us = None
        self._learning = self.learn_us > 0
        self._counts[:] = 0
        self._mask[:] = False
        self._apply_listed()

    @property
    def learning(self) -> bool:
        return self._learning

    @property
    def hot_pixels(self) -> np.ndarray:
        """Masked pixels as int array [N, 2] of (x, y)."""
        idx = np.flatnonzero(self._mask)
        return np.stack([idx % max(self._map.width, 1), idx // max(self._map.width, 1)], axis=1)

    def save(self, path) -> None:
        """Write the masked pixels as an ``x y`` list (reusable with ``path=``)."""
        np.savetxt(path, self.hot_pixels, fmt="%d", header="hot pixels: x y")

    def __call__(self, events: np.ndarray, t_us: int | None = None) -> np.ndarray:
        if events is None or not len(events):
            return events
        self._mask, self._counts = self._map.ensure(events, [self._mask, self._counts], 0)
        w = self._map.width
        idx = events["y"].astype(np.int64) * w + events["x"]
        if self._learning:
            if self._t0_us is None:
                self._t0_us = int(events["t"][0])
            end = self._t0_us + self.learn_us
            t = events["t"]
            inside = t < end
            self._counts += np.bincount(idx[inside], minlength=self._counts.size)
            if not inside.all():
                self._finish_learning()
        if not self._mask.any():
            return events
        return events[~self._mask[idx]]

    def _finish_learning(self) -> None:
        self._learning = False
        active = self._counts[self._counts > 0]
        if not len(active):
            return
        thr = max(self.factor * float(np.median(active)), self.min_count)
        hot = self._counts > thr
        self._mask |= hot
        n = int(hot.sum())
        if n:
            log.info("hot-pixel mask: learned %d hot pixels (count > %.0f)", n, thr)


try:
    import numba

    @numba.njit(cache=True, nogil=True)
    def _ba_filter(x, y, t, ts_map, width, height, duration_us, keep):  # pragma: no cover
        for i in range(t.shape[0]):
            xi = np.int64(x[i])
            yi = np.int64(y[i])
            ti = t[i]
            ok = False
            if xi < width and yi < height:
                for dy in range(-1, 2):
                    yy = yi + dy
                    if yy < 0 or yy >= height:
                        continue
                    for dx in range(-1, 2):
                        if dx == 0 and dy == 0:
                            continue
                        xx = xi + dx
                        if xx < 0 or xx >= width:
                            continue
                        if ti - ts_map[yy * width + xx] < duration_us:
                            ok = True
                            break
                    if ok:
                        break
                ts_map[yi * width + xi] = ti
            keep[i] = ok

    _HAVE_NUMBA = True
except Exception:  # pragma: no cover
    _HAVE_NUMBA = False


class NoiseFilter:
    """Background-activity noise filter (stage "events").

    An event passes when one of its 8 neighbours had an event less than
    ``duration_us`` before it -- the semantics of ``dv.noise.BackgroundActivityNoiseFilter``.
    Backends: ``"numba"`` (own O(N) kernel, ~100x faster than feeding dv-processing,
    whose Python API needs one ``push_back`` call per event), ``"dv"``
    (dv-processing itself) and ``"auto"`` (numba when importable, else dv).

    Parameters:
        duration_us: support window in µs (dv's default 2000).
        width, height: sensor size (passed by the pipeline).
        backend: "auto", "numba" or "dv".
    """

    stage = "events"

    def __init__(self, duration_us: int = 2000, width: int | None = None, height: int | None = None,
                 backend: str = "auto"):
        # 0 or less drops every event (a neighbour's event is never less than 0 µs before)
        self.duration_us = int(number_option("noise_filter", "duration_us", duration_us, lo=1.0, whole=True))
        if backend == "auto":
            backend = "numba" if _HAVE_NUMBA else "dv"
        if backend not in ("numba", "dv"):
            raise ConfigError(f"noise_filter: unknown backend {backend!r} (auto, numba, dv)")
        self.backend = backend
        self.width, self.height = int(width or 0), int(height or 0)
        self.reset()

    def reset(self) -> None:
        self._ts = None
        self._dv = None
        self.n_in = self.n_out = 0

    def _size_for(self, events: np.ndarray) -> tuple[int, int]:
        w = max(self.width, int(events["x"].max()) + 1)
        h = max(self.height, int(events["y"].max()) + 1)
        return w, h

    def __call__(self, events: np.ndarray, t_us: int | None = None) -> np.ndarray:
        if events is None or not len(events):
            return events
        if events.dtype != EVENT_DTYPE:
            events = events.astype(EVENT_DTYPE)
        w, h = self._size_for(events)
        if self._ts is None or (w, h) != (self.width, self.height):
            self.width, self.height = w, h
            self._ts = np.full(w * h, np.iinfo(np.int64).min // 2, dtype=np.int64)
            self._dv = None
        if self.backend == "numba":
            keep = np.empty(len(events), dtype=np.bool_)
            _ba_filter(events["x"], events["y"], events["t"], self._ts, w, h, self.duration_us, keep)
            out = events[keep]
        else:
            out = self._dv_filter(events, w, h)
        self.n_in += len(events)
        self.n_out += len(out)
        return out

    def _dv_filter(self, events: np.ndarray, w: int, h: int) -> np.ndarray:
        from datetime import timedelta

        import dv_processing as dv

        if self._dv is None:
            self._dv = dv.noise.BackgroundActivityNoiseFilter(
                (w, h), backgroundActivityDuration=timedelta(microseconds=self.duration_us))
        store = dv.EventStore()
        for t, x, y, p in zip(events["t"].tolist(), events["x"].tolist(), events["y"].tolist(),
                              events["p"].tolist()):
            store.push_back(t, x, y, bool(p))
        self._dv.accept(store)
        res = self._dv.generateEvents().numpy()
        out = np.empty(len(res), dtype=EVENT_DTYPE)
        if len(res):
            out["t"] = res["timestamp"]
            out["x"] = res["x"]
            out["y"] = res["y"]
            out["p"] = res["polarity"]
        return out


def _accepts_size(cls) -> bool:
    import inspect

    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False
    return ("width" in params and "height" in params) or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _options_taken(cls) -> str:
    """``KEY=DEFAULT, ...`` of the options a post-processor's constructor takes (the sensor size,
    given by the pipeline, left out), for a bad option's line; '' when unknown."""
    import inspect

    try:
        params = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return ""
    named = [p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
             and p.name not in ("width", "height")]
    return ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in named)


def step_name(proc) -> str:
    """The name a post-processor was built under (its class name if not built here), so
    that a fault says which plugin to blame."""
    return getattr(proc, "_evfocus_step", None) or type(proc).__name__


def _first_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {first_line(exc, '')}".rstrip(": ")[:200]


def build_postprocessors(steps, options: dict | None = None, width: int | None = None,
                         height: int | None = None, registry=None) -> tuple[list, list]:
    """(event filters, frame filters) built from names in the postprocessors group.

    ``options`` maps a step name to its keyword options. Unknown or broken names raise
    :class:`~evfocus_live.errors.ConfigError` with one line -- a constructor that raises
    and an object without ``reset()`` included, so that a broken plugin is refused here,
    naming it, instead of failing later inside the pipeline's threads.
    """
    from ..plugins import POSTPROCESSORS, Registry, did_you_mean, elsewhere

    reg = registry or Registry(POSTPROCESSORS)
    options = options or {}
    ev_filters, frame_filters = [], []
    for name in steps:
        try:
            cls = reg.load(name)
        except KeyError:
            why = reg.failures.get(name) or "unknown" + elsewhere(POSTPROCESSORS, name)
            near = "" if name in reg.failures else did_you_mean(name, reg.names())
            raise ConfigError(f"post-processor {name!r}{near} is unavailable ({why}); "
                              f"available: {', '.join(reg.names())}") from None
        if not callable(cls):
            raise ConfigError(f"post-processor {name!r} is not a class ({type(cls).__name__})")
        opts = dict(options.get(name, {}))
        stage = getattr(cls, "stage", "frame")
        if stage not in ("frame", "events"):  # (a typo, "event", ran it as a frame step: a TypeError per frame)
            raise ConfigError(f"post-processor {name!r}: stage must be \"frame\" or \"events\", got {stage!r}")
        if stage == "events" and _accepts_size(cls):
            opts.setdefault("width", width)
            opts.setdefault("height", height)
        try:
            proc = cls(**opts)
        except EvFocusError:
            raise
        except TypeError as exc:  # (the constructor's words name neither the value nor what it takes)
            taken = _options_taken(cls)
            given = ", ".join(f"{k}={v!r}" for k, v in opts.items() if k not in ("width", "height"))
            if not given:  # (none given: "bad options  (...)"; a factory with required arguments, a model's)
                raise ConfigError(f"post-processor {name!r} cannot be built with no options ({exc}): the commands "
                                  "and the viewer build it as cls(), so every option needs a default") from None
            raise ConfigError(f"post-processor {name!r}: bad options {given} ({exc}); "
                              + (f"it takes {taken}" if taken else "it takes no options")) from None
        except Exception as exc:  # the plugin's own constructor failed
            raise ConfigError(f"post-processor {name!r} could not be built: {_first_line(exc)}") from None
        missing = [m for m, ok in (("__call__", callable(proc)), ("reset()", callable(getattr(proc, "reset", None))))
                   if not ok]
        if missing:  # else the first seek or the first frame fails inside a worker thread
            raise ConfigError(f"post-processor {name!r} ({type(proc).__name__}) lacks {' and '.join(missing)} "
                              "(a post-processor is called on each frame and has reset())")
        try:
            proc._evfocus_step = name
        except Exception:  # __slots__ or a read-only object: faults name its class instead
            pass
        reset_filters((proc,))  # the pipeline's first call, made here: a broken reset() is refused now
        (ev_filters if stage == "events" else frame_filters).append(proc)
    return ev_filters, frame_filters


def reset_filters(filters) -> None:
    """``reset()`` every filter; one that raises is a :class:`~evfocus_live.errors.ConfigError`
    naming it (it was a traceback out of the pipeline's constructor, or out of a seek)."""
    for f in filters:
        try:
            f.reset()
        except Exception as exc:
            raise ConfigError(f"post-processor {step_name(f)!r}: reset() failed: {_first_line(exc)}") from exc


def _inside(f, events: np.ndarray, width: int, height: int) -> np.ndarray:
    """``events`` that lie on the ``width`` x ``height`` sensor; those a filter moved off it are
    dropped with one warning per filter naming it (the voxel grid ignored them in silence)."""
    x, y = events["x"], events["y"]
    if int(x.max()) < width and int(y.max()) < height:
        return events
    kept = events[(x < width) & (y < height)]
    if not getattr(f, "_evfocus_outside_said", False):
        try:
            f._evfocus_outside_said = True
        except Exception:  # (__slots__: said again, not never)
            pass
        log.warning("post-processor %r returned %d event(s) outside the %dx%d sensor (x up to %d, y up to %d): "
                    "dropped (an event filter keeps events, or moves them within the sensor)", step_name(f),
                    len(events) - len(kept), width, height, int(x.max()), int(y.max()))
    return kept


def apply_event_filters(filters, events: np.ndarray, width: int | None = None,
                        height: int | None = None) -> np.ndarray:
    """Run an event batch through the event filters; an empty result ends the chain.

    A filter that raises, or returns anything but events (an empty array for "none left"), is a
    :class:`~evfocus_live.errors.ConfigError` naming it, as for frame filters: None too, a
    forgotten ``return`` that dropped every event and ended in "no event reached the model",
    naming no filter. With the
    sensor's ``width`` and ``height``, events a filter put outside it are dropped, said once.
    """
    for f in filters:
        try:
            out = f(events)
        except Exception as exc:
            raise ConfigError(f"post-processor {step_name(f)!r} failed: {_first_line(exc)}") from exc
        if out is None:
            raise ConfigError(f"post-processor {step_name(f)!r} returned None, not events (it returns the events "
                              "it keeps: an empty array, evfocus_live.events.empty(), for none)")
        if isinstance(out, np.ndarray) and out.dtype == EVENT_DTYPE and not len(out):
            return np.empty(0, EVENT_DTYPE)
        if not (isinstance(out, np.ndarray) and out.dtype == EVENT_DTYPE):
            got = f"a {out.dtype} array" if isinstance(out, np.ndarray) else f"a {type(out).__name__}"
            raise ConfigError(f"post-processor {step_name(f)!r} returned {got}, not events")
        if width is not None and height is not None:
            out = _inside(f, out, width, height)
            if not len(out):
                return out
        events = out
    return events


def apply_frame_filters(filters, frame: np.ndarray, t_us: int | None = None) -> np.ndarray:
    """Run ``frame`` through the frame filters, checking each result.

    A filter that raises, or returns anything but a uint8 frame of the input's shape, is a
    :class:`~evfocus_live.errors.ConfigError` naming it: otherwise its garbage (a 3x3
    array, None) would be written or shown as if it were the reconstruction.
    """
    shape = frame.shape
    for f in filters:
        try:
            out = f(frame, t_us)
        except Exception as exc:
            raise ConfigError(f"post-processor {step_name(f)!r} failed: {_first_line(exc)}") from exc
        if not (isinstance(out, np.ndarray) and out.shape == shape and out.dtype == np.uint8):
            got = (f"a {out.dtype} array of shape {'x'.join(map(str, out.shape)) or 'scalar'}"
                   if isinstance(out, np.ndarray) else "None" if out is None else f"a {type(out).__name__}")
            raise ConfigError(f"post-processor {step_name(f)!r} returned {got}, not a uint8 "
                              f"{'x'.join(map(str, shape))} frame")
        frame = out
    return frame
