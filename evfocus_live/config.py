"""Typed configuration shared by the CLI, the headless pipeline and the GUI.

Frozen dataclasses with units in field names; ``dataclasses.replace`` makes variants.
Values no run can use (NaN, negative, zero sizes) are refused when a config is made, with
one :class:`~evfocus_live.errors.ConfigError` line naming the field: deeper down they
became a bare ``ValueError`` or, for a NaN speed, a replay that never paced a batch.
"""

from __future__ import annotations

import math
import numbers
import os
import sys
from dataclasses import dataclass, field
from typing import Literal, get_args

from .errors import ConfigError

WindowMode = Literal["duration", "events", "timestamps", "adaptive"]

#: the largest ``WindowConfig.downsample`` factor (8: a 1280x720 sensor seen as 160x90)
MAX_DOWNSAMPLE = 8


def downsampled_size(width: int, height: int, factor: int) -> tuple[int, int]:
    """The sensor a ``factor`` x ``factor`` binning gives: ``ceil(W / N) x ceil(H / N)``
    (events at ``x // N``, ``y // N``, so the last partial bin is kept)."""
    n = int(factor)
    return -(-int(width) // n), -(-int(height) // n)


#: the smallest ``WindowConfig.roi`` side in pixels. Every shipped model runs down to 1x1 (they
#: pad to a multiple of 8), but below 16 pixels a frame is mostly that padding: nothing to see
MIN_ROI_PX = 16


def check_roi_fits(roi: tuple[int, int, int, int], width: int, height: int, who: str = "the") -> None:
    """``roi`` (x, y, w, h) must lie inside a ``width`` x ``height`` sensor, else one ConfigError
    line naming the sensor's size (known only once a source is open: not in ``__post_init__``)."""
    x, y, w, h = roi
    if x + w > width or y + h > height:
        raise ConfigError(f"ROI {x},{y},{w},{h} (x,y,w,h) is not inside {who} {width}x{height} sensor: "
                          f"x+w must be <= {width} and y+h <= {height}")


def model_size(width: int, height: int, roi: tuple[int, int, int, int] | None, factor: int) -> tuple[int, int]:
    """The sensor the model sees: the ROI's ``w x h`` (else the source's), then downsampled."""
    if roi is not None:
        width, height = roi[2], roi[3]
    return downsampled_size(width, height, factor)


def _number(cls: str, name: str, value, *, lo: float = 0.0, lo_ok: bool = False, integer: bool = False,
            hi: float = math.inf, label: str | None = None) -> None:
    """``value`` must be a finite number above ``lo`` (or equal, with ``lo_ok``), at most ``hi``,
    else ConfigError naming it as ``label`` (default ``cls.name``), the value and the range."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value > lo or (lo_ok and value == lo)) and value <= hi and (not integer or float(value).is_integer())
    if not ok:
        what = "a whole number" if integer else "a finite number"
        rng = f"{'>=' if lo_ok else '>'} {lo:g}" + (f" and <= {hi:g}" if hi < math.inf else "")
        raise ConfigError(f"{label or f'{cls}.{name}'} must be {what} {rng}, got {value!r}")


def _kind(cfg, name: str, kinds: tuple[type, ...], what: str) -> None:
    """``cfg.name`` must be one of ``kinds`` (a bool is not a number here), else one ConfigError
    line: a wrong type passed in silence (``half="no"`` is true: fp16) or failed far from the
    config, in words about something else ('unknown model '3''). The field is kept in its plain
    kind (:func:`_plain`): a Path as its str, as the annotation says and the code that reads it
    assumes (``model.name.endswith``: an AttributeError when saving the viewer's settings)."""
    value = _plain(getattr(cfg, name), kinds)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise ConfigError(f"{type(cfg).__name__}.{name} must be {what}, got {value!r}")
    object.__setattr__(cfg, name, value)  # (frozen dataclass)


def _plain(value, kinds: tuple[type, ...]):
    """``value`` as the plain kind a field holds: a path-like as its ``str``, numpy's bool as a
    ``bool`` (``loop=mask.any()``); anything else as it is. (numpy looked up in ``sys.modules``:
    a value of a module not imported cannot be one of its types; configs import no numpy.)"""
    if os.PathLike in kinds and isinstance(value, os.PathLike):
        return os.fspath(value)
    np = sys.modules.get("numpy")
    if bool in kinds and np is not None and isinstance(value, np.bool_):
        return bool(value)
    return value


_PATH = (str, os.PathLike)


def home_expanded(path: str | os.PathLike) -> str:
    """``path`` with a leading ``~`` (or ``~user``) as that home folder, else as given: the one
    rule for a path no shell expanded (``--snapshot-dir=~/x``, a settings file, a Python caller),
    which the command line and the configs share; '~' left elsewhere in a name."""
    return os.path.expanduser(os.fspath(path))


@dataclass(frozen=True)
class SourceConfig:
    """Where events come from: a file path or a camera name (see ``sources.CAMERA_NAMES``).

    Parameters:
        spec: a file path (``str`` or ``Path``; format by content) or a camera name ("sim", "davis346", ...).
        speed: file replay speed relative to the sensor clock in threaded mode; 0 = as fast as possible.
        loop: start a file over at its end.
        start_s, end_s: the part of a file to read, in seconds from its first event.

    Example::

        Pipeline(SourceConfig("rec.aedat4", start_s=0.5, end_s=2.0))
    """

    spec: str = "sim"
    #: replay speed for files relative to the sensor clock; 0 = as fast as possible
    speed: float = 1.0
    loop: bool = False
    start_s: float | None = None
    end_s: float | None = None

    def __post_init__(self):
        _kind(self, "spec", _PATH, "a file path or a camera name")
        _kind(self, "loop", (bool,), "True or False")
        _number("SourceConfig", "speed", self.speed, lo_ok=True)
        for name in ("start_s", "end_s"):
            if getattr(self, name) is not None:
                _number("SourceConfig", name, getattr(self, name), lo_ok=True)
        if self.end_s is not None and self.end_s <= (self.start_s or 0.0):
            raise ConfigError(f"SourceConfig.end_s ({self.end_s:g}) must be after start_s ({self.start_s or 0:g})")


@dataclass(frozen=True)
class WindowConfig:
    """How the stream is cut into windows for the network.

    Parameters:
        mode: "events" (``window_events``, else ``events_per_pixel`` x pixels), "duration"
            (``window_ms``), "adaptive" (duration kept within ``adaptive_min_epp`` ..
            ``adaptive_max_epp`` events per pixel) or "timestamps" (one window ending at each
            time of ``timestamps_path``, of ``Pipeline(timestamps_us=...)``, or with
            ``timestamps_aps`` the source's APS frames).
        num_bins: voxel-grid bins (a model's own config overrides it).
        downsample: spatial binning factor 1..8; roi: (x, y, w, h) of the sensor, or None.

    The other fields are commented in the source. Wrong values are a ConfigError when made.

    Example::

        WindowConfig(mode="duration", window_ms=33, roi=(0, 0, 346, 260))
    """

    mode: WindowMode = "events"
    window_ms: float = 33.0
    #: fixed events per window; ``None`` = ``events_per_pixel`` x sensor pixels (E2VID)
    window_events: int | None = None
    events_per_pixel: float = 0.35
    #: for mode "timestamps": path of a file with one t_us per line
    timestamps_path: str | None = None
    #: for mode "timestamps": the source's own APS frame times (a DAVIS recording), not a file
    timestamps_aps: bool = False
    #: for mode "adaptive": events per pixel kept within these bounds
    adaptive_min_epp: float = 0.05
    adaptive_max_epp: float = 1.0
    #: for mode "adaptive": a window may grow to this many x window_ms to reach the minimum
    adaptive_max_extend: float = 4.0
    #: for mode "duration": gaps up to this many windows give empty windows, longer ones are skipped
    max_empty_windows: int = 30
    num_bins: int = 5
    #: spatial binning: events at ``x // N``, ``y // N`` on a ``ceil(W/N) x ceil(H/N)`` sensor
    #: (1 = off). High-rate sensors (EVK4, 1280x720) are not real time at full size on a CPU;
    #: 2 gives ~4x fewer pixels to infer. Here, not in SourceConfig: every pipeline reads it
    downsample: int = 1
    #: region of interest (x, y, w, h) in pixels of the source's own sensor, top-left origin:
    #: only events inside reach the slicer and model, shifted to (0, 0), before ``downsample``
    #: (a 346x260 ROI of a 1280x720 EVK4 is real time on a CPU). ``None``: the whole sensor.
    #: Whether it fits is checked when a source is open (``check_roi_fits``)
    roi: tuple[int, int, int, int] | None = None

    def __post_init__(self):
        if self.mode not in get_args(WindowMode):
            raise ConfigError(f"WindowConfig.mode: unknown window mode {self.mode!r} "
                              f"(one of {', '.join(get_args(WindowMode))})")
        _kind(self, "timestamps_aps", (bool,), "True or False")
        if self.timestamps_path is not None:
            _kind(self, "timestamps_path", _PATH, "None or a file path")
        for name in ("window_ms", "events_per_pixel", "adaptive_max_epp"):
            _number("WindowConfig", name, getattr(self, name))
        # the slicers count whole µs: below half of one, the window was 0 µs (a bare ValueError)
        _number("WindowConfig", "window_ms", self.window_ms, lo=0.0005)
        _number("WindowConfig", "adaptive_min_epp", self.adaptive_min_epp, lo_ok=True)
        _number("WindowConfig", "adaptive_max_extend", self.adaptive_max_extend, lo=1.0, lo_ok=True)
        if self.window_events is not None:
            _number("WindowConfig", "window_events", self.window_events, lo=1.0, lo_ok=True, integer=True)
        _number("WindowConfig", "max_empty_windows", self.max_empty_windows, lo_ok=True, integer=True)
        _number("WindowConfig", "num_bins", self.num_bins, lo=1.0, lo_ok=True, integer=True)
        if self.timestamps_aps and self.timestamps_path:
            raise ConfigError("WindowConfig: timestamps_path and timestamps_aps exclude each other")
        d = self.downsample
        if isinstance(d, bool) or not isinstance(d, numbers.Integral) or not 1 <= d <= MAX_DOWNSAMPLE:
            raise ConfigError(f"WindowConfig.downsample must be a whole number 1..{MAX_DOWNSAMPLE} "
                              f"(1 = off), got {d!r}")
        if self.roi is not None:
            r = self.roi
            ok = isinstance(r, tuple) and len(r) == 4 and all(
                isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in r)
            if not ok or r[0] < 0 or r[1] < 0 or r[2] < MIN_ROI_PX or r[3] < MIN_ROI_PX:
                raise ConfigError(f"WindowConfig.roi must be None or a tuple of 4 whole numbers (x, y, w, h) with "
                                  f"x, y >= 0 and w, h >= {MIN_ROI_PX}, got {r!r}")
            object.__setattr__(self, "roi", tuple(int(v) for v in r))


@dataclass(frozen=True)
class ModelConfig:
    """Which network to run and where.

    Parameters:
        name: a shipped model ("evfocus", "e2vid", ...; ``nn.registry.available_models()``), a
            plugin's, or a ``.pt`` checkpoint path.
        device: "auto", "cpu", "cuda" or "cuda:N" (a ``torch.device`` is kept as its name).
        half: fp16 on CUDA. threads: torch CPU threads (0 = measured default).
        backend: CPU runtime, "auto", "eager", "jit", "onnx" or "compile".
        precision: CPU precision, "auto" (bf16 where the CPU has it natively), "fp32" or "bf16".
        compare: a second model (a name or path as ``name``) run on the same windows, on the same
            device in the same precision, for a side-by-side view; None (or "none"): no second model.

    Example::

        ModelConfig(name="evfocus", device="cpu", precision="fp32", compare="e2vid")
    """

    name: str = "evfocus"
    #: auto | cpu | cuda | cuda:N (GPU N from 0), placed by ``nn.registry.resolve_device``
    device: str = "auto"
    half: bool = True  # fp16 on CUDA only (any GPU: cuda:1 as cuda)
    #: torch CPU threads for inference; 0 = the measured default (``nn.runtime.default_threads``)
    threads: int = 0
    #: CPU inference backend: auto | eager | jit | onnx | compile (see ``nn.runtime``)
    backend: str = "auto"
    #: CPU inference precision: auto | fp32 | bf16 (autocast, ~1.4-1.6x, outputs within ~2e-2);
    #: auto = bf16 where the CPU has native bf16 (live frame rate), else fp32
    precision: str = "auto"
    #: a second model run on the same voxel grids beside ``name`` (``evfocus-live --compare``:
    #: E2VID's blurry frame beside EvFocus's sharp one), its own recurrent state; None: none
    compare: str | None = None

    def __post_init__(self):
        _kind(self, "name", _PATH, "a model name or a checkpoint path")
        if self.compare is not None:
            _kind(self, "compare", _PATH, "None or a model name or a checkpoint path")
            if self.compare.strip().lower() in ("", "none"):  # (a settings file has no None: "none")
                object.__setattr__(self, "compare", None)
        torch = sys.modules.get("torch")  # (not imported: the device cannot be a torch.device)
        if torch is not None and isinstance(self.device, torch.device):  # what torch code hands about
            object.__setattr__(self, "device", str(self.device))
        _kind(self, "device", (str,), "a device name (auto, cpu, cuda or cuda:N)")
        _kind(self, "half", (bool,), "True or False")
        _number("ModelConfig", "threads", self.threads, lo_ok=True, integer=True)
        # (refused here, not only by the CPU runtime: on CUDA a typo was silently ignored)
        for name, allowed in (("backend", ("auto", "eager", "jit", "onnx", "compile")),
                              ("precision", ("auto", "fp32", "bf16"))):
            if getattr(self, name) not in allowed:
                raise ConfigError(f"ModelConfig.{name}: unknown inference {name} {getattr(self, name)!r} "
                                  f"(one of {', '.join(allowed)})")


@dataclass(frozen=True)
class PostConfig:
    """Ordered post-processing steps (names from the ``evfocus_live.postprocessors`` group)."""

    steps: tuple[str, ...] = ("auto_hdr",)
    options: dict = field(default_factory=dict)

    def __post_init__(self):
        # (a bare string was taken as its letters: steps="unsharp" asked for post-processor 'u')
        steps = self.steps
        if isinstance(steps, str):
            raise ConfigError(f"PostConfig.steps must be a tuple of names, got the string {steps!r} "
                              f"(write steps=({steps!r},))")
        try:
            steps = tuple(steps)
        except TypeError:
            raise ConfigError(f"PostConfig.steps must be a tuple of names, got {steps!r}") from None
        bad = [n for n in steps if not isinstance(n, str)]
        if bad:
            raise ConfigError(f"PostConfig.steps must be names (strings), got {bad[0]!r}")
        if not isinstance(self.options, dict):
            raise ConfigError(f"PostConfig.options must be a dict of step name -> keyword options, "
                              f"got {self.options!r}")
        object.__setattr__(self, "steps", steps)


@dataclass(frozen=True)
class SimCameraConfig:
    """The viewer's simulated camera (``evfocus-live`` with no recording or camera named)."""

    #: pictures its scenes are drawn from (image files, folders of them, videos), as
    #: ``evfocus-live --images`` takes them; () = the bundled textures. Checked (they exist and
    #: read) by the viewer before a run, not here: a settings file may name another machine's
    images: tuple[str, ...] = ()

    def __post_init__(self):
        images = self.images
        if isinstance(images, (str, bytes)) or not isinstance(images, (tuple, list)):
            raise ConfigError(f"SimCameraConfig.images must be a tuple of paths, got {images!r}")
        bad = [v for v in images if not isinstance(v, str) or not v.strip()]
        if bad:
            raise ConfigError(f"SimCameraConfig.images must be paths (non-empty strings), got {bad[0]!r}"
                              + (" (an empty path: an unset variable?)" if isinstance(bad[0], str) else ""))
        object.__setattr__(self, "images", tuple(images))


#: the event pane's palettes (``core.render.PALETTES``; ``light`` is ``white``, Metavision's name)
PaletteName = Literal["dark", "light", "white", "gray", "coolwarm"]


@dataclass(frozen=True)
class DisplayConfig:
    """How the viewer shows events, shared by ``evfocus-live --palette``, the Display group and a
    settings file's ``[display]``.

    Parameters:
        palette: the event pane's colours in every mode: ``dark`` (blue ON, red OFF on near-black,
            the default), ``white``/``light``, ``gray`` (ON white, OFF black on grey: polarity by
            brightness, for colour-blind eyes) or ``coolwarm`` (Metavision's: ON red, OFF blue).

    Example::

        DisplayConfig(palette="gray")
    """

    palette: PaletteName = "dark"

    def __post_init__(self):
        if isinstance(self.palette, str):  # (any case from Python, as --palette takes it)
            object.__setattr__(self, "palette", self.palette.strip().lower())
        if self.palette not in get_args(PaletteName):
            raise ConfigError(f"unknown palette {self.palette!r} (choose from {', '.join(get_args(PaletteName))})")
