"""Layered 3-D scenes: textured planes at depths, moving, seen through a thin lens.

A :class:`Scene` is a fully concrete, picklable description (textures, trajectories,
depths, lens, focus schedule, lighting, pixel parameters); :func:`sample_scene` draws
one from a :class:`~evfocus_live.simulate.sequence.SimConfig`; :class:`Renderer` turns it
into linear-intensity frames at any time, defocused per layer (see :mod:`.optics`).

Motion model: a background plane far away and 1-3 foreground layers (textured patches
with alpha). The camera translates (with parallax: nearer layers move faster, by their
inverse-depth ratio, clipped) and rolls about the optical axis; each foreground layer
also moves on its own (2-D translation + rotation) and may move along the optical axis,
which changes its image scale (d0/d) and its defocus together.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from . import textures
from .esim import SensorParams
from .optics import SIGMA_EPS, Lens, blur, to_linear

#: texture border handling: background mirrors (no seams), foreground is transparent
BG_BORDER = cv2.BORDER_REFLECT_101
FG_BORDER = cv2.BORDER_CONSTANT


@dataclass(frozen=True)
class Trajectory:
    """Smooth 2-D image-plane motion: constant velocity + one sinusoidal wobble + rotation.

    Positions in pixels, angles in radians, times in seconds.
    """

    x0: float = 0.0
    y0: float = 0.0
    vx_px_s: float = 0.0
    vy_px_s: float = 0.0
    wobble_px: float = 0.0
    wobble_hz: float = 0.0
    wobble_phase: float = 0.0
    wobble_dir: float = 0.0
    angle0: float = 0.0
    omega_rad_s: float = 0.0
    #: if > 0, the position bounces inside [0, bounce_w] x [0, bounce_h] (objects stay in view)
    bounce_w: float = 0.0
    bounce_h: float = 0.0
    #: perspective wobble (camera pan/tilt seen on the background plane): amplitude of
    #: the homography's projective row in 1/px, its frequency, phase and direction
    persp_per_px: float = 0.0
    persp_hz: float = 0.0
    persp_phase: float = 0.0
    persp_dir: float = 0.0

    def persp(self, t_s: float) -> tuple[float, float]:
        """Projective coefficients (hx, hy) of the background homography at ``t_s``."""
        if not self.persp_per_px:
            return 0.0, 0.0
        a = self.persp_per_px * math.sin(2 * math.pi * self.persp_hz * t_s + self.persp_phase)
        return a * math.cos(self.persp_dir), a * math.sin(self.persp_dir)

    def at(self, t_s: float) -> tuple[float, float, float]:
        w = self.wobble_px * np.sin(2 * np.pi * self.wobble_hz * t_s + self.wobble_phase)
        x = self.x0 + self.vx_px_s * t_s + w * np.cos(self.wobble_dir)
        y = self.y0 + self.vy_px_s * t_s + w * np.sin(self.wobble_dir)
        if self.bounce_w > 0:
            x = _fold(x, self.bounce_w)
        if self.bounce_h > 0:
            y = _fold(y, self.bounce_h)
        return float(x), float(y), float(self.angle0 + self.omega_rad_s * t_s)


def _fold(v: float, size: float) -> float:
    """Reflect ``v`` into [0, size] (a bouncing coordinate)."""
    u = v % (2 * size)
    return u if u <= size else 2 * size - u


@dataclass(frozen=True)
class Layer:
    """One textured plane. ``texture`` is display-referred float32; ``alpha`` None = opaque."""

    texture: np.ndarray
    alpha: np.ndarray | None
    depth_m: float
    traj: Trajectory
    #: camera-translation multiplier (inverse-depth ratio to the background, clipped)
    parallax: float = 1.0
    #: motion along the optical axis: depth(t) = depth_m * exp(z_rate_s * t)
    z_rate_s: float = 0.0
    name: str = ""

    def depth_at(self, t_s: float) -> float:
        return float(self.depth_m * np.exp(self.z_rate_s * t_s))


@dataclass(frozen=True)
class FocusSchedule:
    """Focus distance over time: constant, or a triangle sweep in inverse depth (1/m)."""

    focus_m: float = 1.0
    sweep: bool = False
    inv_lo: float = 0.5
    inv_hi: float = 2.0
    period_s: float = 2.0
    phase: float = 0.0

    def at(self, t_s: float) -> float:
        if not self.sweep:
            return self.focus_m
        u = (t_s / self.period_s + self.phase) % 1.0
        tri = 2 * u if u < 0.5 else 2 - 2 * u
        return float(1.0 / (self.inv_lo + (self.inv_hi - self.inv_lo) * tri))


@dataclass(frozen=True)
class Lighting:
    """Global illumination multiplier: level * (1 + amp sin(2 pi f t + phase))."""

    level: float = 1.0
    amp: float = 0.0
    hz: float = 0.0
    phase: float = 0.0

    def at(self, t_s):
        return self.level * (1.0 + self.amp * np.sin(2 * np.pi * self.hz * np.asarray(t_s) + self.phase))


@dataclass(frozen=True)
class Scene:
    """Everything needed to render a sequence, no randomness left."""

    width: int
    height: int
    layers: tuple[Layer, ...]  # [0] is the background
    camera: Trajectory
    lens: Lens
    focus: FocusSchedule
    lighting: Lighting
    sensor: SensorParams
    sigma_range: tuple[float, float] = (0.0, 7.0)
    psf: str = "gaussian"
    meta: dict = field(default_factory=dict)


def _log_uniform(rng, lo, hi):
    if lo <= 0 or hi <= lo:
        return float(lo if hi <= lo else rng.uniform(lo, hi))
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _rng_range(rng, r):
    lo, hi = float(r[0]), float(r[1])
    return lo if hi <= lo else float(rng.uniform(lo, hi))


def _sample_traj(rng, speed_px_s, max_omega, x0=0.0, y0=0.0, wobble_max=0.0):
    ang = rng.uniform(0, 2 * np.pi)
    return Trajectory(
        x0=x0, y0=y0,
        vx_px_s=float(speed_px_s * np.cos(ang)), vy_px_s=float(speed_px_s * np.sin(ang)),
        wobble_px=float(rng.uniform(0, wobble_max)), wobble_hz=float(rng.uniform(0.2, 3.0)),
        wobble_phase=float(rng.uniform(0, 2 * np.pi)), wobble_dir=float(rng.uniform(0, np.pi)),
        angle0=0.0, omega_rad_s=float(rng.uniform(-max_omega, max_omega)))


def sample_scene(cfg, rng: np.random.Generator, texture: str | None = None) -> Scene:
    """Draw a random scene from ``cfg`` (a SimConfig); ``texture`` forces the background."""
    W, H = cfg.width, cfg.height
    size_scale = W / 346.0
    lo_s, hi_s = float(cfg.sigma_range[0]), float(cfg.sigma_range[1])
    # --- lens and pixels: keep the DAVIS346 sensor size whatever the resolution
    lens = Lens(focal_length_mm=float(rng.uniform(8.0, 25.0)), f_number=float(rng.uniform(1.2, 2.8)),
                pixel_pitch_um=18.5 * 346.0 / W)
    n_fg = int(rng.integers(cfg.fg_layers[0], cfg.fg_layers[1] + 1))
    sig = [float(rng.uniform(lo_s, hi_s)) if hi_s > lo_s else lo_s for _ in range(n_fg + 1)]
    # --- focus and depths, solved so that the thin lens gives the drawn sigmas
    k_approx = lens.gain_px_m(1e3)  # K for d_f >> f (K only grows as d_f falls)
    inv_f = sig[0] / k_approx + float(rng.uniform(0.1, 2.0))
    focus_m = 1.0 / inv_f
    k = lens.gain_px_m(focus_m)
    inv_bg = inv_f - sig[0] / k  # background behind the focus plane (or in focus)
    inv_d = [inv_bg]
    for s in sig[1:]:
        behind = inv_f - s / k
        if behind > inv_bg * 1.15 + 1e-3 and rng.random() < 0.5:
            inv_d.append(behind)
        else:
            inv_d.append(inv_f + s / k)
    depths = [1.0 / max(v, 1e-3) for v in inv_d]

    static = cfg.static
    speed_lo, speed_hi = (0.0, 0.0) if static else cfg.speed_range_px_s

    def speed():
        if static or rng.random() < cfg.p_still:
            return 0.0
        # skewed towards slow motion (mean a third of the range): fast sequences stay rare
        return float(speed_lo + (speed_hi - speed_lo) * rng.random() ** 2) * size_scale

    max_omega = 0.0 if static else cfg.max_rotation_rad_s
    # --- background: texture a bit larger than the sensor, mirrored beyond it
    names = []
    pool = tuple(getattr(cfg, "images", ()))  # the user's pictures (--images) replace the bundled ones

    def texture_name(p_natural: float) -> str:
        return pool[int(rng.integers(0, len(pool)))] if pool else textures.random_texture_name(rng, p_natural)

    bg_name = texture or texture_name(0.7)
    bg_h, bg_w = int(H * 1.25), int(W * 1.25)
    bg = textures.make_texture(bg_name, rng, bg_h, bg_w)
    names.append(bg_name)
    camera = _sample_traj(rng, speed(), max_omega * 0.5, wobble_max=0 if static else 20 * size_scale)
    layers = [Layer(bg, None, depths[0], Trajectory(x0=W / 2, y0=H / 2), 1.0, 0.0, bg_name)]
    for i in range(n_fg):
        fh = int(H * rng.uniform(0.25, 0.7))
        fw = int(np.clip(fh * rng.uniform(0.6, 1.8), 8, W * 0.8))
        name = texture_name(0.5)
        tex = textures.make_texture(name, rng, fh, fw)
        alpha = textures.shape_mask(rng, fh, fw)
        names.append(name)
        traj = _sample_traj(rng, speed(), max_omega, x0=float(rng.uniform(0.15, 0.85) * W),
                            y0=float(rng.uniform(0.15, 0.85) * H), wobble_max=0 if static else 40 * size_scale)
        traj = dataclasses.replace(traj, angle0=float(rng.uniform(-0.5, 0.5)), bounce_w=float(W),
                                   bounce_h=float(H))
        z_rate = 0.0
        if not static and rng.random() < cfg.p_z_motion:
            z_rate = float(rng.choice([-1, 1]) * rng.uniform(0.1, 0.6))
        parallax = float(np.clip(inv_d[i + 1] / max(inv_bg, 1e-3), 1.0, 4.0))
        layers.append(Layer(tex, alpha, depths[i + 1], traj, parallax, z_rate, name))

    # --- focus schedule
    if cfg.focus_sweep:
        span = max(hi_s, 1.0) / k
        inv_lo = max(min(inv_d) - 0.5 * span, 0.02)
        inv_hi = max(inv_d) + 0.5 * span
        focus = FocusSchedule(focus_m, True, inv_lo, inv_hi, float(rng.uniform(0.8, 2.0) * cfg.duration_s),
                              float(rng.uniform(0, 1)))
    else:
        focus = FocusSchedule(focus_m)
    # --- light
    level = _log_uniform(rng, *cfg.light_range)
    if not static and rng.random() < cfg.p_light_change:
        lighting = Lighting(level, float(rng.uniform(0.1, 0.5)), float(rng.uniform(0.2, 2.0)),
                            float(rng.uniform(0, 2 * np.pi)))
    else:
        lighting = Lighting(level)
    # --- pixels
    sensor = SensorParams(
        c_mean=_rng_range(rng, cfg.contrast_range),
        c_sigma=cfg.contrast_sigma,
        on_off_ratio=float(np.exp(rng.uniform(-np.log(cfg.on_off_mismatch), np.log(cfg.on_off_mismatch))))
        if cfg.on_off_mismatch > 1 else 1.0,
        refractory_us=_rng_range(rng, cfg.refractory_range_us),
        noise_rate_hz=_rng_range(rng, cfg.noise_rate_range_hz),
        hot_pixel_fraction=_rng_range(rng, cfg.hot_pixel_fraction_range),
        hot_pixel_rate_hz=_rng_range(rng, (5.0, 50.0)),
        bandwidth_hz=_rng_range(rng, cfg.bandwidth_range_hz),  # last: (0, 0) draws nothing
    )
    # --- perspective wobble of the background (drawn last: earlier draws stay put)
    if not static and cfg.p_perspective > 0 and rng.random() < cfg.p_perspective:
        # per px of the longer side: on a tall sensor (H > W) 1/W made the homography's
        # denominator cross zero inside the view (NaN frames, then runaway events)
        camera = dataclasses.replace(camera, persp_per_px=float(rng.uniform(0.03, 0.15) / max(W, H)),
                                     persp_hz=float(rng.uniform(0.2, 1.5)),
                                     persp_phase=float(rng.uniform(0, 2 * np.pi)),
                                     persp_dir=float(rng.uniform(0, 2 * np.pi)))
    return Scene(W, H, tuple(layers), camera, lens, focus, lighting, sensor,
                 (lo_s, hi_s), cfg.psf, meta={"textures": names, "sigma_drawn": sig})


class Renderer:
    """Renders a :class:`Scene` at any time (seconds of *scene* time).

    Blurs happen in texture space, before warping (a Gaussian or disk PSF commutes with
    rotation/translation and scales with the warp), so the blurred textures are cached
    and re-blurred only when a layer's sigma changes by more than ``sigma_step_px``.

    Example::

        r = Renderer(scene)
        lin = r.render(0.5)                 # defocused linear reflectance, HxW float32
        sharp = r.render(0.5, sharp=True)
    """

    def __init__(self, scene: Scene, sigma_step_px: float = 0.05):
        self.scene = scene
        self.sigma_step_px = sigma_step_px
        self.size = (scene.width, scene.height)
        # linear textures: background one array; foreground a (premultiplied
        # intensity, alpha) pair (two 1-channel warps are faster than one 2-channel)
        self._tex = []
        for ly in scene.layers:
            lin = to_linear(ly.texture)
            self._tex.append(lin if ly.alpha is None else (lin * ly.alpha, ly.alpha))
        self._cache: list[dict] = [dict() for _ in scene.layers]
        #: optional override of the focus distance (the live camera's knob), metres
        self.focus_override_m: float | None = None
        self._last_key = None
        self._last_out = None

    # --- geometry --------------------------------------------------------------
    def layer_state(self, i: int, t_s: float) -> tuple[np.ndarray, float, float, float]:
        """(texture->sensor matrix, scale, depth_m, sigma_px) of layer ``i`` at ``t_s``.

        The matrix is a 2x3 affine, or 3x3 for a background with perspective wobble.
        """
        sc = self.scene
        ly = sc.layers[i]
        W, H = sc.width, sc.height
        cx, cy, ang = ly.traj.at(t_s)
        camx, camy, cam_ang = sc.camera.at(t_s)
        depth = ly.depth_at(t_s)
        scale = ly.depth_m / depth
        th, tw = ly.texture.shape
        # layer pose: centre the texture, rotate+scale, move to (cx, cy) + parallax camera shift
        c, s = math.cos(ang) * scale, math.sin(ang) * scale
        px, py = cx + ly.parallax * camx, cy + ly.parallax * camy
        if ly.traj.bounce_w > 0:  # keep bouncing objects in view despite the camera's parallax shift
            px = 0.1 * W + _fold(px - 0.1 * W, 0.8 * W)
            py = 0.1 * H + _fold(py - 0.1 * H, 0.8 * H)
        a00, a01, a10, a11 = c, -s, s, c
        b0, b1 = px - (c * tw / 2 - s * th / 2), py - (s * tw / 2 + c * th / 2)
        if cam_ang != 0.0:  # camera roll about the sensor centre (cv2.getRotationMatrix2D's sense)
            al, be = math.cos(cam_ang), math.sin(cam_ang)
            ox, oy = W / 2, H / 2
            a00, a01, a10, a11 = al * a00 + be * a10, al * a01 + be * a11, -be * a00 + al * a10, -be * a01 + al * a11
            b0, b1 = al * (b0 - ox) + be * (b1 - oy) + ox, -be * (b0 - ox) + al * (b1 - oy) + oy
        m = np.array([[a00, a01, b0], [a10, a11, b1]], np.float64)
        if i == 0:
            hx, hy = sc.camera.persp(t_s)
            if hx or hy:  # background homography: T(c) [[1,0,0],[0,1,0],[hx,hy,1]] T(-c) m
                ox, oy = W / 2, H / 2
                p = np.array([[1 + ox * hx, ox * hy, -ox * (ox * hx + oy * hy)],
                              [oy * hx, 1 + oy * hy, -oy * (ox * hx + oy * hy)],
                              [hx, hy, 1 - (ox * hx + oy * hy)]])
                m = p @ np.vstack([m, [0.0, 0.0, 1.0]])
        focus = self.focus_override_m if self.focus_override_m is not None else sc.focus.at(t_s)
        sigma = min(max(sc.lens.sigma_px_scalar(depth, focus), sc.sigma_range[0]), sc.sigma_range[1])
        return m, scale, depth, sigma

    def _blurred(self, i: int, sigma_tex: float) -> tuple[np.ndarray, int]:
        """Layer texture blurred by ``sigma_tex`` (quantised, cached) and its zero padding."""
        q = int(round(sigma_tex / self.sigma_step_px))
        cache = self._cache[i]
        hit = cache.get(q)
        if hit is not None:
            return hit
        tex = self._tex[i]
        s = q * self.sigma_step_px
        if s < SIGMA_EPS:
            out = (tex, 0)
        elif not isinstance(tex, tuple):  # background: mirrored beyond its edges
            out = (blur(tex, s, self.scene.psf, BG_BORDER), 0)
        else:  # foreground: pad with transparency so the blur can spread past the patch
            pad = int(np.ceil(3.0 * s)) + 2
            out = (tuple(blur(cv2.copyMakeBorder(a, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0),
                              s, self.scene.psf, FG_BORDER) for a in tex), pad)
        if len(cache) >= 3:
            cache.pop(next(iter(cache)))
        cache[q] = out
        return out

    def _order(self, t_s):
        states = [self.layer_state(i, t_s) for i in range(len(self.scene.layers))]
        # background first, then foreground layers far -> near
        fg = sorted(range(1, len(states)), key=lambda i: -states[i][2])
        return [0] + fg, states

    def _warp_roi(self, tex: tuple, m: np.ndarray, pad: int):
        """Warp foreground arrays into the sensor's bounding box of their footprint only.

        Returns (list of warped arrays, (x0, y0, x1, y1)) or None when out of view.
        """
        W, H = self.size
        if pad:
            m = m.copy()
            m[:, 2] -= m[:, :2] @ np.array([pad, pad], np.float64)
        th, tw = tex[0].shape[:2]
        corners = m @ np.array([[0, tw, 0, tw], [0, 0, th, th], [1, 1, 1, 1]], np.float64)
        x0 = max(0, int(np.floor(corners[0].min())) - 1)
        y0 = max(0, int(np.floor(corners[1].min())) - 1)
        x1 = min(W, int(np.ceil(corners[0].max())) + 2)
        y1 = min(H, int(np.ceil(corners[1].max())) + 2)
        if x1 <= x0 or y1 <= y0:
            return None
        m = m.copy()
        m[0, 2] -= x0
        m[1, 2] -= y0
        w = [cv2.warpAffine(a, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderMode=FG_BORDER)
             for a in tex]
        return w, (x0, y0, x1, y1)

    def render(self, t_s: float, sharp: bool = False) -> np.ndarray:
        """Linear reflectance (no lighting) at scene time ``t_s``; defocused unless ``sharp``.

        The result may be shared with the previous call when nothing moved (treat it as
        read-only).
        """
        order, states = self._order(t_s)
        key = (sharp, tuple(order), tuple((st[0].tobytes(), round(st[3] / self.sigma_step_px), st[1])
                                          for st in states))
        if key == self._last_key:  # nothing moved, focus unchanged: same picture
            return self._last_out
        out = self._render(order, states, sharp)
        self._last_key, self._last_out = key, out
        return out

    def _render(self, order, states, sharp: bool) -> np.ndarray:
        out = None
        for i in order:
            m, scale, _, sigma = states[i]
            tex, pad = (self._tex[i], 0) if sharp else self._blurred(i, sigma / max(scale, 1e-3))
            if not isinstance(tex, tuple):
                warp = cv2.warpPerspective if m.shape[0] == 3 else cv2.warpAffine
                out = warp(tex, m, self.size, flags=cv2.INTER_LINEAR, borderMode=BG_BORDER)
                continue
            hit = self._warp_roi(tex, m, pad)
            if hit is None:
                continue
            w, (x0, y0, x1, y1) = hit
            roi = out[y0:y1, x0:x1]
            roi *= 1.0 - w[1]
            roi += w[0]
        return out

    def maps(self, t_s: float) -> tuple[np.ndarray, np.ndarray]:
        """(sigma_px, depth_m) maps: values of the front-most layer whose sharp alpha > 0.5."""
        order, states = self._order(t_s)
        W, H = self.size
        sigma = np.empty((H, W), np.float32)
        depth = np.empty((H, W), np.float32)
        for i in order:
            m, _, d, s = states[i]
            tex = self._tex[i]
            if not isinstance(tex, tuple):
                sigma[:] = s
                depth[:] = d
                continue
            hit = self._warp_roi(tex[1:], m, 0)
            if hit is None:
                continue
            w, (x0, y0, x1, y1) = hit
            front = w[0] > 0.5
            sigma[y0:y1, x0:x1][front] = s
            depth[y0:y1, x0:x1][front] = d
        return sigma, depth
