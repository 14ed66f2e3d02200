"""Sequences: configuration, the adaptive render/event loop, ground truth, files.

``simulate_sequence(SimConfig, seed)`` is deterministic: the same config and seed give
the same events and frames (all randomness comes from one ``numpy`` Generator seeded
with ``seed``; OpenCV calls are deterministic). It returns the sequence in memory;
``simulate_to_files`` writes the same sequence to disk frame interval by frame interval,
in memory bounded independent of the duration (``evfocus simulate`` uses it).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import numbers
import os
import re
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .. import __version__
from ..errors import ConfigError, InputError
from ..events import EVENT_DTYPE
from ..versions import VERSION_KEY, is_newer, same_version, written_by
from .esim import EventGenerator, log_intensity
from .optics import to_display_u8
from .scenes import Renderer, Scene, sample_scene

log = logging.getLogger(__name__)

H5_FORMAT = "evfocus-h5"
#: simulate_sequence holds a sequence's ground truth in memory; beyond this it refuses the
#: config (simulate_to_files streams to disk and has no such limit)
MAX_GT_BYTES = 4e9
#: simulate_to_files hands events to the files in batches of this many HDF5 chunks (whole
#: .aedat4 packets too): each compressed chunk is written once, and the files do not
#: depend on how the render steps fell; ~0.85 MB in memory per chunk
EVENT_BATCH_CHUNKS = 8
#: simulate_to_files writes ground-truth frames in blocks of up to this many bytes (at most
#: 64 frames): one HDF5 call per block, not per frame, at small resolutions
FRAME_BLOCK_BYTES = 4 << 20
SIM_SENSOR = "simulated"


@dataclass(frozen=True)
class SimConfig:
    """What kind of sequences to draw. Ranges ``(lo, hi)`` are sampled per sequence;
    ``lo == hi`` fixes the value.

    Parameters:
        width, height: sensor size in pixels.
        duration_s: sequence length.
        frame_ms: ground-truth frame interval (frames at 0, frame_ms, 2 frame_ms, ...).
        sigma_range: defocus blur sigma (px) per layer; every layer's sigma is clipped to
            this range at all times, so ``(4, 4)`` fixes the defocus everywhere.
        focus_sweep: focus distance sweeps (triangle, in 1/m) across the layers' depths.
        psf: ``"gaussian"`` or ``"disk"``.
        fg_layers: number of foreground layers (inclusive range).
        static: no motion and constant light (tests: only noise events remain).
        speed_range_px_s: image speed of camera / objects at 346 px width (scaled with width).
        p_still: probability that a given motion is zero.
        max_rotation_rad_s: rotation rate bound (camera roll uses half).
        p_z_motion: probability that a foreground layer moves along the optical axis.
        p_perspective: probability of a perspective (homography) wobble of the
            background, as a panning/tilting camera sees a plane.
        light_range: global illumination level (log-uniform); 1 = bright.
        p_light_change: probability of a sinusoidal illumination change.
        contrast_range: mean contrast threshold C (log units).
        contrast_sigma: per-pixel threshold std.
        on_off_mismatch: ON/OFF threshold ratio drawn log-uniform in [1/m, m].
        refractory_range_us: pixel refractory period.
        noise_rate_range_hz: background activity per pixel at light 1 (scales 1/light).
        hot_pixel_fraction_range: share of hot pixels.
        bandwidth_range_hz: pixel cutoff at full intensity (scales with intensity, see
            :class:`~evfocus_live.simulate.esim.SensorParams`); ``(0, 0)`` = ideal pixels.
        max_log_step: render steps keep the largest per-pixel log change below this
            fraction of C (ESIM's adaptive sampling), down to ``min_step_us``.
        min_step_us, max_step_us: render step bounds.
        images: pictures every layer's texture is drawn from, in place of the bundled
            pictures and patterns (:func:`~evfocus_live.simulate.textures.user_image_names`
            names them: absolute paths, ``video#k`` for a video's frame k); ``()``: the
            bundled ones.
    """

    width: int = 346
    height: int = 260
    duration_s: float = 2.0
    frame_ms: float = 25.0
    sigma_range: tuple[float, float] = (0.0, 7.0)
    focus_sweep: bool = False
    psf: str = "gaussian"
    fg_layers: tuple[int, int] = (1, 3)
    static: bool = False
    speed_range_px_s: tuple[float, float] = (0.0, 250.0)
    p_still: float = 0.1
    max_rotation_rad_s: float = 0.6
    p_z_motion: float = 0.3
    p_perspective: float = 0.3
    light_range: tuple[float, float] = (0.1, 1.0)
    p_light_change: float = 0.2
    contrast_range: tuple[float, float] = (0.2, 0.5)
    contrast_sigma: float = 0.03
    on_off_mismatch: float = 1.15
    refractory_range_us: tuple[float, float] = (0.0, 500.0)
    noise_rate_range_hz: tuple[float, float] = (0.01, 0.1)
    hot_pixel_fraction_range: tuple[float, float] = (0.0, 2e-4)
    bandwidth_range_hz: tuple[float, float] = (0.0, 0.0)
    max_log_step: float = 0.5
    min_step_us: float = 50.0
    max_step_us: float = 5000.0
    images: tuple[str, ...] = ()

    def __post_init__(self):
        # checked as it is made, as the pipeline's configs are: a bad field was found only by
        # simulate_*, far from the line that set it (the live sim camera never checked it)
        self.validate()

    def validate(self) -> "SimConfig":
        """Raise :class:`ConfigError` (one line) for impossible values; return self. (Run at
        construction too: a SimConfig that exists is valid.)"""
        def bad(msg):
            raise ConfigError(msg)
        _check_kinds(self)
        for f in dataclasses.fields(self):  # NaN / inf pass every comparison below or overflow later
            v = getattr(self, f.name)
            vals = v if isinstance(v, tuple) else (v,)
            if any(_is_number(x) and not math.isfinite(x) for x in vals):  # (numpy's float32 too)
                bad(f"{f.name} must be finite, got {v}")
        if not (8 <= self.width <= 4096 and 8 <= self.height <= 4096):
            bad(f"resolution {self.width}x{self.height} out of range (8..4096)")
        if not (0 < self.duration_s <= 3600):
            bad(f"duration must be in (0, 3600] s, got {self.duration_s}")
        if not (0.1 <= self.frame_ms <= 10_000):
            bad(f"frame interval must be in [0.1, 10000] ms, got {self.frame_ms}")
        lo, hi = self.sigma_range
        if not (0 <= lo <= hi <= 50):
            bad(f"sigma range must satisfy 0 <= LO <= HI <= 50, got {lo} {hi}")
        if self.focus_sweep and lo == hi:  # every layer clipped to one sigma: marked a sweep, sweeps nothing
            bad(f"a focus sweep needs a range of blur: --sigma-range LO HI with LO < HI, got {lo:g} {hi:g} "
                "(LO == HI keeps every layer at that blur all along)")
        if self.psf not in ("gaussian", "disk"):
            bad(f"psf must be gaussian or disk, got {self.psf!r}")
        if not (0 <= self.fg_layers[0] <= self.fg_layers[1] <= 8):
            bad(f"foreground layers must be 0 <= lo <= hi <= 8, got {self.fg_layers}")
        if not (0 < self.contrast_range[0] <= self.contrast_range[1]):
            bad(f"contrast threshold range must be positive, got {self.contrast_range}")
        lo, hi = self.speed_range_px_s
        if not (0 <= lo <= hi):
            bad(f"speed range must satisfy 0 <= LO <= HI px/s, got {lo:g} {hi:g}")
        for name in ("p_still", "p_z_motion", "p_perspective", "p_light_change"):
            if not 0 <= getattr(self, name) <= 1:
                bad(f"{name} is a probability: must be in [0, 1], got {getattr(self, name)}")
        if not (0 < self.light_range[0] <= self.light_range[1]):
            bad(f"light range must be positive, got {self.light_range}")
        if not (0 < self.max_log_step <= 2):
            bad(f"max_log_step must be in (0, 2], got {self.max_log_step}")
        if not (0 <= self.bandwidth_range_hz[0] <= self.bandwidth_range_hz[1]):
            bad(f"bandwidth range must satisfy 0 <= LO <= HI, got {self.bandwidth_range_hz}")
        # (these reached numpy as negative rates / scales / sample sizes: tracebacks mid-run)
        for name in ("refractory_range_us", "noise_rate_range_hz", "hot_pixel_fraction_range"):
            lo, hi = getattr(self, name)
            if not (0 <= lo <= hi):
                bad(f"{name} must satisfy 0 <= LO <= HI, got {lo:g} {hi:g}")
        if self.hot_pixel_fraction_range[1] > 1:
            bad(f"hot_pixel_fraction_range is a share of the pixels: HI must be <= 1, "
                f"got {self.hot_pixel_fraction_range[1]:g}")
        if self.contrast_sigma < 0 or self.max_rotation_rad_s < 0 or self.on_off_mismatch < 1:
            bad(f"need contrast_sigma >= 0, max_rotation_rad_s >= 0 and on_off_mismatch >= 1, got "
                f"{self.contrast_sigma:g}, {self.max_rotation_rad_s:g}, {self.on_off_mismatch:g}")
        if not all(isinstance(x, str) and x for x in self.images):
            bad(f"images must be picture names (textures.user_image_names), got {self.images!r}")
        if not (1 <= self.min_step_us <= self.max_step_us):
            bad("render steps must satisfy 1 <= min_step_us <= max_step_us")
        n_frames = _n_frames(self.duration_s, self.frame_ms)
        if n_frames < 2:  # a model is scored (and trained) on the windows between frames
            bad(f"a {self.duration_s:g} s sequence with frames every {self.frame_ms:g} ms has {n_frames} "
                f"ground-truth frame; at least 2 are needed (duration >= frame interval)")
        return self

    def check_fits_in_memory(self) -> "SimConfig":
        """Raise :class:`ConfigError` when the whole ground truth (what
        :func:`simulate_sequence` holds) would exceed ``MAX_GT_BYTES``; return self."""
        n_frames = _n_frames(self.duration_s, self.frame_ms)
        gt_bytes = n_frames * self.width * self.height * 6  # sharp, blurred u8 + sigma, depth f16
        if gt_bytes > MAX_GT_BYTES:
            raise ConfigError(
                f"{n_frames} ground-truth frames of {self.width}x{self.height} need {gt_bytes / 1e9:.1f} GB "
                f"in memory (limit {MAX_GT_BYTES / 1e9:.0f} GB): raise the frame interval, shorten the "
                f"duration, or write the sequence to files with simulate_to_files")
        return self

    def to_dict(self) -> dict:
        """The config as plain values; ``images`` only when given, so the sequences of a run
        without them keep the config an earlier version wrote (--resume compares it). numpy's
        numbers, which the fields take (``width=np.int64(64)``), as Python's: json refused them
        ('Object of type int64 is not JSON serializable', a traceback when the files were written)."""
        d = {k: _plain(v) for k, v in dataclasses.asdict(self).items()}
        if not self.images:
            del d["images"]
        return d


@dataclass
class SimResult:
    """One simulated sequence: events + ground truth at ``t_us``.

    ``sharp``/``blurred`` are uint8 [N,H,W] display-referred scene reflectance (global
    illumination divided out, so frames do not darken with the light level);
    ``sigma`` (px) and ``depth`` (m) float16 [N,H,W] belong to the front-most layer.
    """

    events: np.ndarray
    t_us: np.ndarray
    sharp: np.ndarray
    blurred: np.ndarray
    sigma: np.ndarray
    depth: np.ndarray
    width: int
    height: int
    seed: int
    config: SimConfig
    meta: dict = field(default_factory=dict)


class Simulator:
    """The stepping core shared by offline sequences and the live sim camera.

    Sensor time ``t_us`` advances in adaptive render steps; scene time advances by the
    same step times ``speed`` (the live camera's speed knob), so motion, focus sweeps and
    light changes all follow scene time.

    Example::

        sim = Simulator(scene, np.random.default_rng(0))
        ev = sim.advance(10_000)      # events in (0, 10 ms]
    """

    def __init__(self, scene: Scene, rng: np.random.Generator, *, max_log_step: float = 0.5,
                 min_step_us: float = 50.0, max_step_us: float = 5000.0, noise: bool = True,
                 t0_us: float = 0.0):
        self.scene = scene
        self.rng = rng
        self.renderer = Renderer(scene)
        self.gen = EventGenerator(scene.width, scene.height, scene.sensor, rng)
        self.max_log_step = max_log_step
        self.min_step_us = float(min_step_us)
        self.max_step_us = float(max_step_us)
        self.noise = noise
        self.speed = 1.0
        self.light_scale = 1.0
        self.t_us = float(t0_us)
        self.scene_t_s = 0.0
        self.renders = 0
        p = scene.sensor
        self._target = max_log_step * p.c_mean * min(p.on_off_ratio, 1.0 / p.on_off_ratio)
        self._dt = min(1000.0, self.max_step_us)
        self.restart_pixels()

    def restart_pixels(self) -> None:
        """Set every pixel's reference to the scene as rendered now (no events for it):
        a new scene, or one whose focus and light were set before its first step."""
        self.last_lin = self.renderer.render(self.scene_t_s)
        self.gen.reset(self._log(self.last_lin, self.scene_t_s), self.t_us)

    def light_at(self, scene_t_s):
        return self.scene.lighting.at(scene_t_s) * self.light_scale

    def _log(self, lin: np.ndarray, scene_t_s: float) -> np.ndarray:
        return log_intensity(lin * np.float32(self.light_at(scene_t_s)))

    def advance(self, t_end_us: float) -> np.ndarray:
        """Render and emit all events in ``(t_us, t_end_us]``; returns them sorted by t."""
        t0 = self.t_us
        chunks = []
        while self.t_us < t_end_us - 1e-6:
            remaining = t_end_us - self.t_us
            dt = min(self._dt, remaining)
            truncated = dt < self._dt
            while True:
                st = self.scene_t_s + dt * 1e-6 * self.speed
                lin = self.renderer.render(st)
                L = self._log(lin, st)
                self.renders += 1
                delta = cv2.norm(L, self.gen.last_input.reshape(L.shape), cv2.NORM_INF)
                if delta <= 1.25 * self._target or dt <= self.min_step_us:
                    break
                dt = max(self.min_step_us, dt * 0.9 * self._target / delta)
                truncated = False
            t1 = t_end_us if dt >= remaining else self.t_us + dt
            if delta > 0.0 or not self.gen.settled:
                chunks.append(self.gen.step(L, t1))
            else:  # nothing changed (nor settling): no crossings possible, skip the pixel pass
                self.gen.t_us = float(t1)
            self.t_us, self.scene_t_s, self.last_lin = t1, st, lin
            if not truncated:
                grow = 0.9 * self._target / max(delta, 1e-9)
                self._dt = float(np.clip(dt * min(2.0, grow), self.min_step_us, self.max_step_us))
        if self.noise and self.t_us > t0:
            s0, sp = self.scene_t_s - (self.t_us - t0) * 1e-6 * self.speed, self.speed

            def light_fn(t_us):  # sensor time -> light level (noise rate ~ 1 / light)
                return self.light_at(s0 + (np.asarray(t_us) - t0) * 1e-6 * sp)

            chunks.append(self.gen.noise(t0, self.t_us, self.rng, light_fn))
        if not chunks:
            return np.empty(0, EVENT_DTYPE)
        ev = np.concatenate(chunks)
        return ev[np.argsort(ev["t"], kind="stable")]

    def ground_truth(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(sharp u8, blurred u8, sigma f32, depth f32) at the current time, rendered with
        the current focus (a knob turned since the last step shows at once, as its sigma map
        does; offline the render cache makes this last_lin again)."""
        sharp = to_display_u8(self.renderer.render(self.scene_t_s, sharp=True))
        blurred = to_display_u8(self.renderer.render(self.scene_t_s))
        sigma, depth = self.renderer.maps(self.scene_t_s)
        return sharp, blurred, sigma, depth


def _n_frames(duration_s: float, frame_ms: float) -> int:
    """How many ground-truth frames :func:`frame_times_us` gives."""
    return int(np.floor(int(round(duration_s * 1e6)) / (frame_ms * 1e3) + 1e-9)) + 1


def frame_times_us(cfg: SimConfig) -> np.ndarray:
    """Ground-truth timestamps: 0, frame_ms, 2 frame_ms, ... up to the duration."""
    step = cfg.frame_ms * 1e3
    n = _n_frames(cfg.duration_s, cfg.frame_ms)
    return np.rint(np.arange(n) * step).astype(np.int64)


def _frame_time_us(k: int, step_us: float) -> int:
    """Timestamp of ground-truth frame ``k``: element ``k`` of :func:`frame_times_us`
    (the same float64 product and rounding), without the whole array."""
    return int(np.rint(np.float64(k) * step_us))


def _run(cfg: SimConfig, seed: int, scene: Scene | None, on_events, on_frame, on_progress=None) -> dict:
    """The simulation loop shared by :func:`simulate_sequence` (memory) and
    :func:`simulate_to_files` (disk); returns the sequence's metadata.

    ``on_events(ev)`` gets each frame interval's events (sorted; together they are the
    sequence, in order); ``on_frame(k, t_us, event_idx, sharp, blurred, sigma, depth)``
    gets frame ``k`` after the events up to ``t_us``, with ``event_idx`` the index of the
    first event with ``t >= t_us`` (events of one interval lie in ``[t_prev, t_us]``, so the
    interval just simulated holds it). Neither the loop nor the callbacks' arguments
    grow with the duration. ``on_progress(t_s)``, if given, hears the sensor time reached.
    """
    rng = np.random.default_rng(seed)
    if scene is None:
        scene = sample_scene(cfg, rng)
    sim = Simulator(scene, rng, max_log_step=cfg.max_log_step, min_step_us=cfg.min_step_us,
                    max_step_us=cfg.max_step_us)
    step_us = cfg.frame_ms * 1e3
    n_events = 0
    for k in range(_n_frames(cfg.duration_s, cfg.frame_ms)):
        t = _frame_time_us(k, step_us)
        idx = n_events
        if t > 0:
            ev = sim.advance(float(t))
            idx = n_events + int(np.searchsorted(ev["t"], t, side="left"))
            n_events += len(ev)
            on_events(ev)
        on_frame(k, t, idx, *sim.ground_truth())
        if on_progress is not None:
            on_progress(t / 1e6)
    dur_us = int(round(cfg.duration_s * 1e6))
    if sim.t_us < dur_us:
        on_events(sim.advance(float(dur_us)))
    p = scene.sensor
    return {
        "textures": scene.meta.get("textures", []),
        "contrast_threshold": p.c_mean,
        "on_off_ratio": p.on_off_ratio,
        "refractory_us": p.refractory_us,
        "noise_rate_hz": p.noise_rate_hz,
        "hot_pixels": int(len(sim.gen.hot_pixels)),
        "bandwidth_hz": p.bandwidth_hz,
        "light_level": scene.lighting.level,
        "focal_length_mm": scene.lens.focal_length_mm,
        "f_number": scene.lens.f_number,
        "pixel_pitch_um": scene.lens.pixel_pitch_um,
        # a sweep never uses the fixed distance: recording it told a reader the wrong focus
        "focus_m": None if scene.focus.sweep else scene.focus.focus_m,
        "focus_sweep": ({"near_m": 1.0 / scene.focus.inv_hi, "far_m": 1.0 / scene.focus.inv_lo,
                         "period_s": scene.focus.period_s, "phase": scene.focus.phase}
                        if scene.focus.sweep else None),
        "layer_depths_m": [ly.depth_m for ly in scene.layers],
        "renders": sim.renders,
    }


def _plain(v):
    """A numpy scalar as Python's (``.item()``), in a tuple or list too; anything else as it is."""
    if isinstance(v, tuple | list):
        return type(v)(map(_plain, v))
    return v.item() if isinstance(v, np.generic) else v


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _check_kinds(cfg: SimConfig) -> None:
    """Each field of the kind its default is (a flag a bool, a number a number, a range two
    numbers, kept as a tuple), else one ConfigError line (``config._kind``'s, as the pipeline's
    configs say it): ``SimConfig(width="64")`` was a TypeError from a comparison ('<=' not
    supported between 'int' and 'str'), a one-number range an unpacking error. numpy's numbers
    are numbers (``width=np.int64(64)``), numpy's bool a bool."""
    from ..config import _kind

    for f in dataclasses.fields(cfg):
        default = f.default
        if isinstance(default, bool):
            _kind(cfg, f.name, (bool,), "True or False")
        elif isinstance(default, numbers.Real):
            # (a sensor size a whole number of its kind: 32.0 passed here and was numpy's
            # TypeError "'float' object cannot be interpreted as an integer" in the simulation)
            whole = f.name in ("width", "height")
            _kind(cfg, f.name, (numbers.Integral,) if whole else (numbers.Real,),
                  "a whole number" if whole else "a number")
        elif isinstance(default, tuple):
            _kind(cfg, f.name, (tuple, list), "picture names" if f.name == "images" else "two numbers (LO, HI)")
            v = tuple(getattr(cfg, f.name))
            if f.name != "images" and not (len(v) == 2 and all(map(_is_number, v))):
                raise ConfigError(f"SimConfig.{f.name} must be two numbers (LO, HI), got {getattr(cfg, f.name)!r}")
            object.__setattr__(cfg, f.name, v)  # (frozen; a list made the config unhashable)


def _check_call(cfg, seed) -> None:
    """``simulate_*``'s config and seed, or one line (None for ``cfg`` was an AttributeError, a
    string seed numpy's 'SeedSequence expects int or sequence of ints')."""
    if not isinstance(cfg, SimConfig):
        raise ConfigError(f"the simulator's config must be a SimConfig, got {type(cfg).__name__}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise ConfigError(f"the simulator's seed must be a whole number >= 0, got {seed!r}")


def simulate_sequence(cfg: SimConfig, seed: int, scene: Scene | None = None) -> SimResult:
    """Simulate one sequence into memory (deterministic in ``cfg`` and ``seed``).

    Holds every event and ground-truth frame: refused (ConfigError) past ``MAX_GT_BYTES``
    of frames; :func:`simulate_to_files` writes the same sequence in bounded memory.

    Example::

        res = simulate_sequence(SimConfig(duration_s=0.5), seed=3)
        res.events            # EVENT_DTYPE, sorted, t in (0, 500000]
        res.sharp.shape       # (21, 260, 346)
    """
    _check_call(cfg, seed)
    cfg.validate().check_fits_in_memory()
    ts = frame_times_us(cfg)
    H, W = cfg.height, cfg.width
    n = len(ts)
    sharp = np.empty((n, H, W), np.uint8)
    blurred = np.empty((n, H, W), np.uint8)
    sigma = np.empty((n, H, W), np.float16)
    depth = np.empty((n, H, W), np.float16)
    chunks = []

    def on_frame(k, t, idx, s_u8, b_u8, s, d):
        sharp[k], blurred[k], sigma[k], depth[k] = s_u8, b_u8, s, d

    meta = _run(cfg, seed, scene, chunks.append, on_frame)
    events = np.concatenate(chunks) if chunks else np.empty(0, EVENT_DTYPE)
    return SimResult(events, ts, sharp, blurred, sigma, depth, W, H, int(seed), cfg, meta)


def simulate_to_files(cfg: SimConfig, seed: int, base: str | Path, aedat4: bool = True,
                      scene: Scene | None = None, on_progress=None) -> dict:
    """Simulate one sequence straight into ``base.h5`` (+ ``base.aedat4``); return a summary
    (the :func:`write_sequence` keys plus ``seed``, ``renders``, ``contrast_threshold``,
    ``textures``).

    The files hold exactly what ``write_sequence(simulate_sequence(cfg, seed), base)``
    writes, but events and frames go to disk frame interval by frame interval, so memory
    stays bounded however long the sequence (a long soak sequence needed many GB). Files
    appear under their names only when complete. ``on_progress(t_s)`` hears the sensor
    time simulated so far (a progress bar for one long sequence).
    """
    _check_call(cfg, seed)
    cfg.validate()
    out = _SequenceFiles(base, cfg.width, cfg.height, _n_frames(cfg.duration_s, cfg.frame_ms), aedat4)
    try:
        meta = _run(cfg, seed, scene, out.add_events, out.add_frame, on_progress)
        info = out.finish(_sequence_attrs(int(seed), cfg, meta, Path(base).parent))
    finally:
        out.discard()  # (nothing left to do after finish)
    info.update(seed=int(seed), renders=meta["renders"], contrast_threshold=meta["contrast_threshold"],
                textures=stored_names(meta["textures"], Path(base).parent), **{VERSION_KEY: __version__})
    return info


def write_sequence(res: SimResult, base: str | Path, aedat4: bool = True) -> dict:
    """Write ``base.h5`` (our HDF5 layout + ``/frames``) and ``base.aedat4``; return a summary.

    Each file is written beside its final name (``.part``) and renamed when complete, so an
    interrupted or failed run never leaves a truncated ``seq_*.h5`` for training to pick up."""
    out = _SequenceFiles(base, res.width, res.height, len(res.t_us), aedat4)
    try:
        ev = res.events
        out.add_events(ev)
        idx = np.searchsorted(ev["t"], res.t_us, side="left")
        for k, t in enumerate(res.t_us):
            out.add_frame(k, int(t), int(idx[k]), res.sharp[k], res.blurred[k], res.sigma[k], res.depth[k])
        return out.finish(_sequence_attrs(res.seed, res.config, res.meta, Path(base).parent))
    finally:
        out.discard()


#: a user's picture at most this many folders up from the dataset (``../pics``,
#: ``../../my_photos`` beside ``data/train``) is stored relative to it; farther, by its absolute path
NEAR_FOLDERS_UP = 2


def stored_names(names, folder: Path) -> list[str]:
    """Texture names as a dataset in ``folder`` stores them: a user's picture (an absolute path,
    ``video#k`` too) near ``folder`` (inside it, or at most :data:`NEAR_FOLDERS_UP` folders up)
    relative to it, so that dataset.json and the .h5 files do not carry the home folder they were
    made in, and a dataset moved with its pictures still --resume's (this run's names are stored
    the same way before they are compared). A picture farther away by its absolute path: its
    relative one (``../../../home/you/pics/a.png`` from ``/tmp/out``) named the home folder anyway
    and broke as soon as the dataset moved without it; so does one with no relative path
    (another drive). The bundled textures' names as they are."""
    from .textures import split_frame

    out = []
    for name in names:
        path, frame = split_frame(name)
        if os.path.isabs(path):
            try:
                rel = os.path.relpath(path, os.path.abspath(folder))
            except ValueError:  # (Windows: another drive)
                rel = path
            up = 0
            for part in Path(rel).parts:
                if part != os.pardir:
                    break
                up += 1
            path = rel if up <= NEAR_FOLDERS_UP else path
            name = path if frame is None else f"{path}#{frame}"
        out.append(name)
    return out


def _same_pictures(d: dict, folder: Path) -> dict:
    """A stored config ``d`` with its ``images`` as absolute paths (those stored relative are
    relative to ``folder``): --resume compares where the pictures are, not how they were
    written (a dataset whose far pictures an earlier version stored as ``../../../home/...``)."""
    from .textures import split_frame

    if "images" not in d:
        return d
    out = []
    for name in d["images"]:
        path, frame = split_frame(name)
        if not os.path.isabs(path):
            path = os.path.normpath(os.path.join(os.path.abspath(folder), path))
        out.append(path if frame is None else f"{path}#{frame}")
    return {**d, "images": out}


def stored_config(cfg: SimConfig, folder: Path) -> dict:
    """``cfg.to_dict()`` as a dataset in ``folder`` stores it: ``images`` by :func:`stored_names`."""
    d = cfg.to_dict()
    if "images" in d:
        d["images"] = stored_names(d["images"], folder)
    return d


def _sequence_attrs(seed: int, cfg: SimConfig, meta: dict, folder: Path) -> dict:
    """The simulator's root attributes of a sequence's .h5 (beside the event writer's) in ``folder``."""
    return {"seed": seed, VERSION_KEY: np.bytes_(__version__.encode()),  # (fixed-length: as the writer's strings)
            "sigma_range": np.asarray(cfg.sigma_range, np.float64),
            "focus_sweep": bool(cfg.focus_sweep),
            "contrast_threshold": float(meta["contrast_threshold"]),
            "sim_config": json.dumps(stored_config(cfg, folder)),
            "sim_meta": json.dumps({**meta, "textures": stored_names(meta["textures"], folder)})}


class _QuietFile:
    """The file object h5py's ``fileobj`` driver writes the .h5 through; it never raises.

    HDF5 that meets a write error (a full disk) spewed tracebacks and could crash the
    process (segfault) while closing. Here the first exception is kept in ``error`` and
    later writes are dropped, so HDF5 sees only successes; :meth:`check` (after each
    step, and at close) raises the kept exception, and the caller deletes the file."""

    def __init__(self, path: Path):
        self._fh = open(path, "w+b")  # buffered: HDF5 writes many small metadata blocks
        self.error: BaseException | None = None

    def _fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = exc

    def check(self) -> None:
        if self.error is not None:
            raise self.error

    def write(self, data) -> int:
        n = memoryview(data).nbytes
        if self.error is None:
            try:
                self._fh.write(data)
            except BaseException as exc:  # (Ctrl-C inside the driver: raised by check too)
                self._fail(exc)
        return n

    def read(self, size: int = -1) -> bytes:
        try:
            return self._fh.read(size)
        except BaseException as exc:
            self._fail(exc)
            return b""

    def readinto(self, buf) -> int:
        try:
            return self._fh.readinto(buf)
        except BaseException as exc:
            self._fail(exc)
            return 0

    def seek(self, pos: int, whence: int = 0) -> int:
        try:
            return self._fh.seek(pos, whence)
        except BaseException as exc:  # (a buffered file flushes here)
            self._fail(exc)
            return pos

    def tell(self) -> int:
        try:
            return self._fh.tell()
        except BaseException as exc:
            self._fail(exc)
            return 0

    def truncate(self, size: int | None = None) -> int:
        if self.error is None:
            try:
                return self._fh.truncate(size)
            except BaseException as exc:
                self._fail(exc)
        return size or 0

    def flush(self) -> None:
        if self.error is None:
            try:
                self._fh.flush()
            except BaseException as exc:
                self._fail(exc)

    def close(self) -> None:
        """Close the real file (its last buffered bytes can fail here too)."""
        fh, self._fh = self._fh, None
        if fh is not None:
            try:
                fh.close()
            except BaseException as exc:
                self._fail(exc)


class _SequenceFiles:
    """One sequence's ``base.h5`` (+ ``base.aedat4``), filled as the simulation goes.

    Both are written as ``.part`` beside their final names and renamed by :meth:`finish`
    (the .aedat4 first: a ``seq_*.h5`` present means the sequence is complete);
    :meth:`discard` deletes whatever is unfinished. Memory, whatever the duration: one event
    batch (``EVENT_BATCH_CHUNKS`` HDF5 chunks), one block of frames (``FRAME_BLOCK_BYTES``),
    HDF5's caches, and the .aedat4 packet index (~50 bytes per 65536 events)."""

    def __init__(self, base: str | Path, width: int, height: int, n_frames: int, aedat4: bool):
        import h5py

        from ..writers.base import unlink_old_file
        from ..writers.hdf5 import CHUNK_EVENTS, COLUMNS
        try:
            from ..writers.hdf5 import _compression
        except ImportError:  # same codec as the writer's default when it hides its choice
            def _compression():
                return {"compression": "gzip", "compression_opts": 4, "shuffle": True}

        base = Path(base)
        base.parent.mkdir(parents=True, exist_ok=True)  # as the package docstring's "out/seq_00000"
        self.h5_path = base.with_suffix(".h5")
        self.a_path = base.with_suffix(".aedat4") if aedat4 else None
        self.n_frames = int(n_frames)
        self._chunk = CHUNK_EVENTS
        self._pending: list[np.ndarray] = []
        self._n_pending = 0
        self.events = 0
        H, W = int(height), int(width)
        n_block = max(1, min(64, FRAME_BLOCK_BYTES // (H * W * 6)))
        # frames queued for the next block write (numpy casts on assignment, as SimResult's arrays)
        self._block = [np.empty((n_block, H, W), dt) for dt in (np.uint8, np.uint8, np.float16, np.float16)]
        self._block_index = np.empty((2, n_block), np.int64)  # t_us, event_idx
        self._in_block = 0
        self.frames = 0  # written to the file
        self._f = self._fh = self._aw = None
        self._parts = [p.with_name(p.name + ".part") for p in (self.h5_path, self.a_path) if p is not None]
        try:
            for part in self._parts:  # a killed run's: a new file, not one truncated in place
                unlink_old_file(part)
            self._fh = _QuietFile(self._parts[0])
            comp = _compression()
            f = self._f = h5py.File(self._fh, "w")  # the layout of writers.hdf5.Hdf5Writer
            f.attrs["width"] = int(width)
            f.attrs["height"] = int(height)
            f.attrs["sensor"] = np.bytes_(SIM_SENSOR.encode())
            f.attrs["format"] = np.bytes_(H5_FORMAT.encode())
            g = f.create_group("events")
            self._ev_ds = [(name, dt, g.create_dataset(name, shape=(0,), dtype=dt, maxshape=(None,),
                                                       chunks=(CHUNK_EVENTS,), **comp))
                           for name, dt in COLUMNS]
            fr = f.create_group("frames")
            n = self.n_frames
            self._t_ds = fr.create_dataset("t_us", shape=(n,), dtype=np.int64)
            #: index of the first event with t >= t_us[k]: events of frame interval k are
            #: events[event_idx[k-1]:event_idx[k]] (saves a search over all of /events/t)
            self._idx_ds = fr.create_dataset("event_idx", shape=(n,), dtype=np.int64)
            self._frame_ds = [fr.create_dataset(name, shape=(n, H, W), dtype=dt, chunks=(1, H, W), **comp)
                              for name, dt in (("sharp", np.uint8), ("blurred", np.uint8),
                                               ("sigma", np.float16), ("depth", np.float16))]
            if self.a_path is not None:
                from ..writers.aedat4 import Aedat4Writer

                # packets of one HDF5 chunk: batches of whole chunks give the packets of one write
                self._aw = Aedat4Writer(self._parts[1], width, height, sensor=SIM_SENSOR,
                                        max_packet_events=CHUNK_EVENTS)
            self._fh.check()
        except BaseException:
            self.discard()
            raise

    def add_events(self, ev: np.ndarray) -> None:
        """Queue a frame interval's events; whole chunks go to the files once a batch is full."""
        if len(ev):
            self._pending.append(ev)
            self._n_pending += len(ev)
        if self._n_pending >= EVENT_BATCH_CHUNKS * self._chunk:
            self._write_events(final=False)

    def add_frame(self, k: int, t_us: int, event_idx: int, sharp, blurred, sigma, depth) -> None:
        """Queue ground-truth frame ``k`` (frames come in order); a full block is written."""
        m = self._in_block
        if k != self.frames + m:
            raise ValueError(f"frame {k} out of order (expected {self.frames + m})")
        for buf, a in zip(self._block, (sharp, blurred, sigma, depth)):
            buf[m] = a
        self._block_index[:, m] = t_us, event_idx
        self._in_block = m + 1
        if self._in_block == len(self._block_index[0]):
            self._write_frames()

    def _write_events(self, final: bool) -> None:
        if not self._pending:
            return
        ev = self._pending[0] if len(self._pending) == 1 else np.concatenate(self._pending)
        n = len(ev) if final else len(ev) // self._chunk * self._chunk
        batch, rest = ev[:n], ev[n:]
        self._pending = [rest.copy()] if len(rest) else []  # (a copy: the batch's memory is freed)
        self._n_pending = len(rest)
        if n:
            n0 = self.events
            for name, dt, ds in self._ev_ds:
                col = batch[name]
                ds.resize((n0 + n,))
                ds[n0:] = (col != 0).astype(dt) if name == "p" else col.astype(dt, copy=False)
            self._fh.check()
            if self._aw is not None:
                self._aw.write(batch)
            self.events = n0 + n

    def _write_frames(self) -> None:
        m = self._in_block
        if m:
            a, b = self.frames, self.frames + m
            for ds, buf in zip(self._frame_ds, self._block):
                ds[a:b] = buf[:m]
            self._t_ds[a:b] = self._block_index[0, :m]
            self._idx_ds[a:b] = self._block_index[1, :m]
            self.frames, self._in_block = b, 0
            self._fh.check()

    def finish(self, attrs: dict) -> dict:
        """Write what is queued and the attributes, close, rename into place; the summary."""
        self._write_frames()
        if self.frames != self.n_frames:
            raise RuntimeError(f"{self.h5_path}: {self.frames} of {self.n_frames} frames simulated")
        self._write_events(final=True)
        for key, val in attrs.items():
            self._f.attrs[key] = val
        f, self._f = self._f, None
        f.close()
        self._fh.close()
        self._fh.check()
        out = {"h5": self.h5_path.name, "events": int(self.events), "frames": self.n_frames}
        if self._aw is not None:
            aw, self._aw = self._aw, None
            aw.close()
            os.replace(self._parts[1], self.a_path)
        os.replace(self._parts[0], self.h5_path)
        self._parts = []
        out["bytes"] = self.h5_path.stat().st_size
        if self.a_path is not None:
            out["aedat4"] = self.a_path.name
            out["bytes"] += self.a_path.stat().st_size
        return out

    def discard(self) -> None:
        """Close what is open and delete the unfinished files (after :meth:`finish`: nothing)."""
        f, self._f = self._f, None
        if f is not None:
            try:  # (with an error kept, HDF5's last writes are dropped: no traceback storm)
                f.close()
            except Exception:
                pass
        if self._fh is not None:
            self._fh.close()
        aw, self._aw = self._aw, None
        if aw is not None:
            try:
                aw.close()
            except Exception:
                pass
        for part in self._parts:
            part.unlink(missing_ok=True)
        self._parts = []


def _worker_init(pool_worker: bool = False):
    import cv2

    if pool_worker:  # Ctrl-C reaches every process of the terminal's group: the parent stops the
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # pool, a worker's KeyboardInterrupt was a traceback
    cv2.setNumThreads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _cfg_cell(v) -> str:
    """A config value as --resume's mismatch line shows it: ``[0.0, 7.0]`` as ``0 7``."""
    if isinstance(v, list):
        return " ".join(_cfg_cell(x) for x in v)
    return f"{v:g}" if isinstance(v, float) else str(v)


class ConfigMismatch(ConfigError):
    """--resume met a sequence made with another config or seed: ``there`` (the file's) and
    ``here`` (this run's) as {"seed": ..., **SimConfig.to_dict()} in JSON form. Its text names
    the :class:`SimConfig` fields; :meth:`describe` takes other names (the CLI's options)."""

    def __init__(self, path: Path, there: dict, here: dict):
        self.path, self.there, self.here = path, there, here
        super().__init__(self.describe())

    def __reduce__(self):  # (raised in a worker process: rebuilt from these, not from the text)
        return type(self), (self.path, self.there, self.here)

    def differing(self) -> list[str]:
        """The keys whose values differ, this run's first."""
        there, here = self.there, self.here
        return [k for k in [*here, *(k for k in there if k not in here)] if there.get(k) != here.get(k)]

    def describe(self, cells: list[tuple[str, str, str]] | None = None) -> str:
        """The one line: ``cells`` (name, value there, value here) or the fields as named here."""
        if cells is None:
            cells = [(k, _cfg_cell(self.there.get(k)), _cfg_cell(self.here.get(k))) for k in self.differing()]
        diff = [f"{name} {a} there, {b} in this run" for name, a, b in cells]
        return (f"{self.path}: made with another config or seed than this run ({'; '.join(diff[:4])}"
                f"{'; ...' if len(diff) > 4 else ''}); use the same options, --overwrite or another folder")


def _finished(cfg: SimConfig, seed: int, base: Path, aedat4: bool, any_version: bool = False) -> dict | None:
    """The summary of a sequence an earlier run of this config and seed completed (--resume),
    or None when it has to be simulated. Files are only ever renamed into place complete.
    One made by another evfocus-live version (its ``evfocus_version``) is refused unless
    ``any_version``: a dataset of two simulators' sequences is no one experiment's data; one
    that records no version (made before it was recorded) is kept, and said by the caller.
    Versions are compared as releases (:func:`~evfocus_live.versions.same_version`): a local
    build of this release (``0.1.0+g1234``) is this version, a dev build of it is not."""
    from ..sources.hdf5_file import _H5_ERRORS, import_h5py

    h5py = import_h5py()  # with hdf5plugin's filters: the events are Blosc-compressed
    h5_path, a_path = base.with_suffix(".h5"), base.with_suffix(".aedat4")
    if not h5_path.is_file() or (aedat4 and not a_path.is_file()):
        return None
    try:
        with h5py.File(h5_path, "r") as f:
            there = {"seed": int(f.attrs["seed"]), **json.loads(f.attrs["sim_config"])}
            here = {"seed": seed, **json.loads(json.dumps(stored_config(cfg, base.parent)))}
            same = _same_pictures(there, base.parent) == _same_pictures(here, base.parent)
            meta = json.loads(f.attrs["sim_meta"])
            made_by = f.attrs.get(VERSION_KEY)
            made_by = made_by.decode() if isinstance(made_by, bytes) else None if made_by is None else str(made_by)
            info = {"h5": h5_path.name, "events": int(f["events/t"].shape[0]),
                    "frames": int(f["frames/t_us"].shape[0]), "bytes": h5_path.stat().st_size}
    except _H5_ERRORS:
        return None  # unreadable: simulated again (the new file replaces it)
    fields = {f.name for f in dataclasses.fields(SimConfig)}
    newer = sorted(k for k in there if k not in here and k not in fields)
    if newer or is_newer(made_by):  # (ConfigMismatch's 'use the same options' named options this version does not have)
        which = f"evfocus-live {made_by}'s simulate, this is {__version__}" if is_newer(made_by) else "a newer evfocus simulate"
        settings = (f" ({', '.join(newer)} {'is no setting' if len(newer) == 1 else 'are no settings'} of this one)"
                    if newer else "")
        if newer or not any_version:  # (--any-version keeps it where this version reads all its settings)
            keep = "" if newer else ", --resume --any-version to keep it"
            raise ConfigError(f"{h5_path}: made by {which}{settings}: upgrade evfocus-live to --resume it{keep}, "
                              "or use --overwrite or another folder")
    if made_by is not None and not same_version(made_by, __version__) and not any_version:
        raise ConfigError(f"{h5_path}: made by {written_by(made_by)}, this is {__version__}: --resume would mix "
                          "two simulators' sequences in one dataset; use --resume --any-version to keep them, "
                          "--overwrite or another folder")
    if not same:
        raise ConfigMismatch(h5_path, there, here)
    if aedat4:
        info["aedat4"] = a_path.name
        info["bytes"] += a_path.stat().st_size
    info.update(seed=seed, renders=meta["renders"], contrast_threshold=meta["contrast_threshold"],
                textures=meta["textures"], **({} if made_by is None else {VERSION_KEY: made_by}))
    return info


def _one(job, on_progress=None):
    cfg, seed, base, aedat4, resume, any_version = job
    if resume:
        info = _finished(cfg, seed, base, aedat4, any_version)
        if info is not None:
            return info
    try:
        return simulate_to_files(cfg, seed, base, aedat4=aedat4, on_progress=on_progress)
    except OSError as exc:  # disk full, permissions: one line, not a traceback
        raise InputError(f"{base}: cannot write ({exc.strerror or exc})") from None


def _refuse_extra_sequences(outdir: Path, sequences: int) -> None:
    """--resume with fewer sequences than the earlier run: refuse, rather than leave the extra
    ``seq_*`` files beside a ``dataset.json`` that does not list them (training globs
    ``seq_*.h5`` and would silently use them)."""
    extra: dict[int, str] = {}
    for p in sorted(outdir.glob("seq_*")):
        m = re.fullmatch(r"seq_(\d+)\.(h5|aedat4)", p.name)
        if m and int(m.group(1)) >= sequences:
            extra.setdefault(int(m.group(1)), p.name)
    if extra:
        raise ConfigError(f"{outdir}: holds {len(extra)} sequence(s) past --sequences {sequences} from an "
                          f"earlier run ({extra[min(extra)]}, ...), which training would use though "
                          f"dataset.json would not list them; use --sequences {max(extra) + 1} to keep "
                          f"them, --overwrite, or another folder")


#: seconds between the progress lines a run without a progress bar logs
PROGRESS_LOG_S = 30.0


def _start_pool(ctx, workers: int):
    """The ``--workers`` pool, its workers started with SIGINT blocked (:func:`sigint_blocked`:
    a Ctrl-C while they imported was a traceback per worker); :func:`_worker_init` ignores it."""
    from ..cli.signals import sigint_blocked

    with sigint_blocked():
        return ctx.Pool(workers, initializer=_worker_init, initargs=(True,))


def _remove_parts(jobs) -> None:
    """The ``.part`` files of sequences a stopped ``--workers`` run left unfinished: Ctrl-C left
    two per worker beside the whole sequences, as only a killed run should."""
    for _cfg, _seed, base, _aedat4, _resume, _any in jobs:
        for suffix in (".h5", ".aedat4"):
            part = base.with_suffix(suffix)
            part = part.with_name(part.name + ".part")
            try:
                part.unlink(missing_ok=True)
            except OSError as exc:  # (the interruption is what the user should read about)
                log.warning("%s: not removed (%s)", part, exc.strerror or exc)


def simulate_dataset(cfg: SimConfig, outdir: str | Path, sequences: int, seed: int, workers: int = 1,
                     aedat4: bool = True, progress: bool = True, resume: bool = False,
                     any_version: bool = False) -> dict:
    """Write ``sequences`` sequences (sequence i uses seed ``seed + i``) and ``dataset.json``.

    ``resume``: keep the sequences an interrupted run of the same config and seeds finished,
    refusing those another evfocus-live version made unless ``any_version`` (:func:`_finished`)."""
    from tqdm import tqdm

    _check_call(cfg, seed)
    seed = int(seed)  # (a numpy seed failed dataset.json's writing, after every sequence was made)
    cfg.validate()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if resume:
        _refuse_extra_sequences(outdir, sequences)
    jobs = [(cfg, seed + i, outdir / f"seq_{i:05d}", aedat4, resume, any_version) for i in range(sequences)]
    results = []
    # in seconds of sensor time, not sequences: one long sequence (a soak replay) sat at 0/1
    dur_s = float(cfg.duration_s)
    bar = tqdm(total=sequences * dur_s, desc="simulate", unit="s",
               bar_format="{l_bar}{bar}| {n:.1f}/{total:.1f} s of sensor time [{elapsed}<{remaining}]{postfix}",
               disable=not progress)

    said_at = [time.monotonic()]

    def due() -> bool:
        # no bar (--no-progress, or a log file: `... > log.txt 2>&1`): a line now and then, so
        # that a long batch job's log shows it moving, as evfocus train's does
        if bar.disable and time.monotonic() - said_at[0] >= PROGRESS_LOG_S:
            said_at[0] = time.monotonic()
            return True
        return False

    def at(t_s):  # set, not added: float steps would leave a full bar at 99.9 %
        bar.n = min(t_s, bar.total)
        bar.update(0)  # redraws at tqdm's own pace
        if bar.n < bar.total and due():  # (within a sequence too: one long one said nothing to its end)
            log.info("simulate: %.1f/%.1f s of sensor time simulated", bar.n, bar.total)

    def done(i):  # sequence i finished (or was kept by --resume): the bar at its end
        at((i + 1) * dur_s if i + 1 < sequences else bar.total)
        bar.set_postfix_str(f"{i + 1}/{sequences} seq", refresh=True)
        if i + 1 < sequences and due():
            log.info("simulate: %d/%d sequences written to %s", i + 1, sequences, outdir)

    try:
        if workers <= 1:
            _worker_init()
            for i, job in enumerate(jobs):
                results.append(_one(job, lambda t_s, base=i * dur_s: at(base + t_s)))
                done(i)
        else:
            import multiprocessing as mp

            ctx = mp.get_context("spawn")  # no fork after OpenCV/numba threads started
            with _start_pool(ctx, workers) as pool:
                try:
                    for i, info in enumerate(pool.imap(_one, jobs)):
                        results.append(info)
                        done(i)
                except BaseException:  # Ctrl-C, an error: the pool's exit kills its workers mid-write
                    pool.terminate()  # (and waits for them), so no writer can discard its .part files
                    _remove_parts(jobs[len(results):])
                    raise
    finally:
        bar.close()
    unversioned = [f"seq_{i:05d}" for i, r in enumerate(results) if VERSION_KEY not in r]
    if unversioned:
        log.warning("%s: %d sequence(s) kept by --resume (%s, ...) record no evfocus-live version (made before it "
                    "was recorded): if that simulator differs from this one (%s), the dataset mixes two; "
                    "--overwrite makes them all again", outdir, len(unversioned), unversioned[0], __version__)
    manifest = {
        "format": H5_FORMAT,
        "generator": "evfocus simulate",
        VERSION_KEY: __version__,
        "config": stored_config(cfg, outdir),
        "seed": seed,
        "seed_rule": "sequence i uses seed + i",
        "sequences": [{"name": f"seq_{i:05d}", **r} for i, r in enumerate(results)],
        "total_events": int(sum(r["events"] for r in results)),
        "total_bytes": int(sum(r["bytes"] for r in results)),
    }
    from ..cli.signals import held_signals

    with held_signals((signal.SIGINT, signal.SIGTERM)):  # (a Ctrl-C or kill here cut it short)
        (outdir / "dataset.json").write_text(json.dumps(manifest, indent=1))
    return manifest
