"""Sequences: configuration, the adaptive render/event loop, ground truth, files.

``simulate_sequence(SimConfig, seed)`` is deterministic: the same config and seed give
the same events and frames (all randomness comes from one ``numpy`` Generator seeded
with ``seed``; OpenCV calls are deterministic).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..errors import ConfigError, InputError
from ..events import EVENT_DTYPE
from .esim import EventGenerator, log_intensity
from .optics import to_display_u8
from .scenes import Renderer, Scene, sample_scene

log = logging.getLogger(__name__)

H5_FORMAT = "evfocus-h5"
#: ground truth is held in memory per sequence; beyond this a config is refused
MAX_GT_BYTES = 4e9
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

    def validate(self) -> "SimConfig":
        """Raise :class:`ConfigError` (one line) for impossible values; return self."""
        def bad(msg):
            raise ConfigError(msg)
        for f in dataclasses.fields(self):  # NaN / inf pass every comparison below or overflow later
            v = getattr(self, f.name)
            vals = v if isinstance(v, tuple) else (v,)
            if any(isinstance(x, float) and not math.isfinite(x) for x in vals):
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
        if not (1 <= self.min_step_us <= self.max_step_us):
            bad("render steps must satisfy 1 <= min_step_us <= max_step_us")
        n_frames = _n_frames(self.duration_s, self.frame_ms)
        if n_frames < 2:  # a model is scored (and trained) on the windows between frames
            bad(f"a {self.duration_s:g} s sequence with frames every {self.frame_ms:g} ms has {n_frames} "
                f"ground-truth frame; at least 2 are needed (duration >= frame interval)")
        gt_bytes = n_frames * self.width * self.height * 6  # sharp, blurred u8 + sigma, depth f16
        if gt_bytes > MAX_GT_BYTES:
            bad(f"{n_frames} ground-truth frames of {self.width}x{self.height} need {gt_bytes / 1e9:.1f} GB "
                f"in memory (limit {MAX_GT_BYTES / 1e9:.0f} GB): raise the frame interval or shorten the duration")
        return self

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


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


def simulate_sequence(cfg: SimConfig, seed: int, scene: Scene | None = None) -> SimResult:
    """Simulate one sequence (deterministic in ``cfg`` and ``seed``).

    Example::

        res = simulate_sequence(SimConfig(duration_s=0.5), seed=3)
        res.events            # EVENT_DTYPE, sorted, t in (0, 500000]
        res.sharp.shape       # (21, 260, 346)
    """
    cfg.validate()
    rng = np.random.default_rng(seed)
    if scene is None:
        scene = sample_scene(cfg, rng)
    sim = Simulator(scene, rng, max_log_step=cfg.max_log_step, min_step_us=cfg.min_step_us,
                    max_step_us=cfg.max_step_us)
    ts = frame_times_us(cfg)
    H, W = cfg.height, cfg.width
    n = len(ts)
    sharp = np.empty((n, H, W), np.uint8)
    blurred = np.empty((n, H, W), np.uint8)
    sigma = np.empty((n, H, W), np.float16)
    depth = np.empty((n, H, W), np.float16)
    chunks = []
    for k, t in enumerate(ts):
        if t > 0:
            chunks.append(sim.advance(float(t)))
        sharp[k], blurred[k], s, d = sim.ground_truth()
        sigma[k], depth[k] = s, d
    dur_us = int(round(cfg.duration_s * 1e6))
    if sim.t_us < dur_us:
        chunks.append(sim.advance(float(dur_us)))
    events = np.concatenate(chunks) if chunks else np.empty(0, EVENT_DTYPE)
    p = scene.sensor
    meta = {
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
    return SimResult(events, ts, sharp, blurred, sigma, depth, W, H, int(seed), cfg, meta)


def write_sequence(res: SimResult, base: str | Path, aedat4: bool = True) -> dict:
    """Write ``base.h5`` (our HDF5 layout + ``/frames``) and ``base.aedat4``; return a summary.

    Each file is written beside its final name (``.part``) and renamed when complete, so an
    interrupted or failed run never leaves a truncated ``seq_*.h5`` for training to pick up.
    The .h5 is built in memory first: HDF5 that hits a full disk spewed tracebacks and could
    crash the process (segfault) while closing; a plain write fails with one OSError."""
    import io

    import h5py

    from ..writers.hdf5 import CHUNK_EVENTS, COLUMNS
    try:
        from ..writers.hdf5 import _compression
    except ImportError:  # same codec as the writer's default when it hides its choice
        def _compression():
            return {"compression": "gzip", "compression_opts": 4, "shuffle": True}

    base = Path(base)
    base.parent.mkdir(parents=True, exist_ok=True)  # as the package docstring's "out/seq_00000"
    h5_path = base.with_suffix(".h5")
    ev = res.events
    comp = _compression()
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:  # the layout of writers.hdf5.Hdf5Writer
        f.attrs["width"] = int(res.width)
        f.attrs["height"] = int(res.height)
        f.attrs["sensor"] = np.bytes_(SIM_SENSOR.encode())
        f.attrs["format"] = np.bytes_(H5_FORMAT.encode())
        g = f.create_group("events")
        for name, dt in COLUMNS:
            col = (ev[name] != 0).astype(dt) if name == "p" else ev[name].astype(dt, copy=False)
            g.create_dataset(name, data=col, maxshape=(None,), chunks=(CHUNK_EVENTS,), **comp)
        f.attrs["seed"] = res.seed
        f.attrs["sigma_range"] = np.asarray(res.config.sigma_range, np.float64)
        f.attrs["focus_sweep"] = bool(res.config.focus_sweep)
        f.attrs["contrast_threshold"] = float(res.meta["contrast_threshold"])
        f.attrs["sim_config"] = json.dumps(res.config.to_dict())
        f.attrs["sim_meta"] = json.dumps(res.meta)
        fr = f.create_group("frames")
        H, W = res.height, res.width
        fr.create_dataset("t_us", data=res.t_us)
        #: index of the first event with t >= t_us[k]: events of frame interval k are
        #: events[event_idx[k-1]:event_idx[k]] (saves a search over all of /events/t)
        fr.create_dataset("event_idx", data=np.searchsorted(ev["t"], res.t_us, side="left").astype(np.int64))
        for name in ("sharp", "blurred", "sigma", "depth"):
            fr.create_dataset(name, data=getattr(res, name), chunks=(1, H, W), **comp)
    _write_atomic(h5_path, lambda part: part.write_bytes(buf.getbuffer()))
    del buf
    out = {"h5": h5_path.name, "events": int(len(ev)), "frames": int(len(res.t_us)),
           "bytes": h5_path.stat().st_size}
    if aedat4:
        from ..writers.aedat4 import Aedat4Writer

        a_path = base.with_suffix(".aedat4")

        def write_aedat4(part):
            with Aedat4Writer(part, res.width, res.height, sensor=SIM_SENSOR) as w:
                if len(ev):
                    w.write(ev)
        _write_atomic(a_path, write_aedat4)
        out["aedat4"] = a_path.name
        out["bytes"] += a_path.stat().st_size
    return out


def _write_atomic(path: Path, write) -> None:
    """``write(part)`` to ``path`` + ``.part``, then rename it to ``path``; no part is left on failure."""
    part = path.with_name(path.name + ".part")
    try:
        write(part)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _worker_init():
    import cv2

    cv2.setNumThreads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def _finished(cfg: SimConfig, seed: int, base: Path, aedat4: bool) -> dict | None:
    """The summary of a sequence an earlier run of this config and seed completed (--resume),
    or None when it has to be simulated. Files are only ever renamed into place complete."""
    from ..sources.hdf5_file import _H5_ERRORS, import_h5py

    h5py = import_h5py()  # with hdf5plugin's filters: the events are Blosc-compressed
    h5_path, a_path = base.with_suffix(".h5"), base.with_suffix(".aedat4")
    if not h5_path.is_file() or (aedat4 and not a_path.is_file()):
        return None
    try:
        with h5py.File(h5_path, "r") as f:
            same = (int(f.attrs["seed"]) == seed
                    and json.loads(f.attrs["sim_config"]) == json.loads(json.dumps(cfg.to_dict())))
            meta = json.loads(f.attrs["sim_meta"])
            info = {"h5": h5_path.name, "events": int(f["events/t"].shape[0]),
                    "frames": int(f["frames/t_us"].shape[0]), "bytes": h5_path.stat().st_size}
    except _H5_ERRORS:
        return None  # unreadable: simulated again (the new file replaces it)
    if not same:
        raise ConfigError(f"{h5_path}: made with another config or seed than this run; "
                          f"use --overwrite or another folder")
    if aedat4:
        info["aedat4"] = a_path.name
        info["bytes"] += a_path.stat().st_size
    info.update(seed=seed, renders=meta["renders"], contrast_threshold=meta["contrast_threshold"],
                textures=meta["textures"])
    return info


def _one(job):
    cfg, seed, base, aedat4, resume = job
    if resume:
        info = _finished(cfg, seed, base, aedat4)
        if info is not None:
            return info
    res = simulate_sequence(cfg, seed)
    try:
        info = write_sequence(res, base, aedat4=aedat4)
    except OSError as exc:  # disk full, permissions: one line, not a traceback
        raise InputError(f"{base}: cannot write ({exc.strerror or exc})") from None
    info.update(seed=seed, renders=res.meta["renders"],
                contrast_threshold=res.meta["contrast_threshold"], textures=res.meta["textures"])
    return info


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


def simulate_dataset(cfg: SimConfig, outdir: str | Path, sequences: int, seed: int, workers: int = 1,
                     aedat4: bool = True, progress: bool = True, resume: bool = False) -> dict:
    """Write ``sequences`` sequences (sequence i uses seed ``seed + i``) and ``dataset.json``.

    ``resume``: keep the sequences an interrupted run of the same config and seeds finished."""
    from tqdm import tqdm

    cfg.validate()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if resume:
        _refuse_extra_sequences(outdir, sequences)
    jobs = [(cfg, seed + i, outdir / f"seq_{i:05d}", aedat4, resume) for i in range(sequences)]
    results = []
    bar = tqdm(total=sequences, desc="simulate", unit="seq", disable=not progress)
    try:
        if workers <= 1:
            _worker_init()
            for job in jobs:
                results.append(_one(job))
                bar.update(1)
        else:
            import multiprocessing as mp

            ctx = mp.get_context("spawn")  # no fork after OpenCV/numba threads started
            with ctx.Pool(workers, initializer=_worker_init) as pool:
                for info in pool.imap(_one, jobs):
                    results.append(info)
                    bar.update(1)
    finally:
        bar.close()
    manifest = {
        "format": H5_FORMAT,
        "generator": "evfocus simulate",
        "config": cfg.to_dict(),
        "seed": seed,
        "seed_rule": "sequence i uses seed + i",
        "sequences": [{"name": f"seq_{i:05d}", **r} for i, r in enumerate(results)],
        "total_events": int(sum(r["events"] for r in results)),
        "total_bytes": int(sum(r["bytes"] for r in results)),
    }
    (outdir / "dataset.json").write_text(json.dumps(manifest, indent=1))
    return manifest
