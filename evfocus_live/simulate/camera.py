"""The live simulator behind the ``sim`` camera: preset scenes and a focus knob.

:class:`LiveSim` owns one :class:`~evfocus_live.simulate.sequence.Simulator` and the knobs
a viewer turns while it runs. It is not thread-safe by itself; the camera source
(:class:`evfocus_live.sources.sim_camera.SimCameraSource`) serialises access.

The focus knob is normalised: ``0.5`` puts the *subject* (the first foreground layer, or
the background when there is none) exactly in focus; ``0`` focuses far behind it and
``1`` near in front of it, each giving the subject a blur of ``knob_sigma_px`` (8 px at
346 px width). Other layers blur by the thin lens according to their own depths, so
turning the knob brings different depths into focus.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .optics import Lens
from .scenes import FocusSchedule, Scene, Trajectory, sample_scene
from .sequence import SimConfig, Simulator

#: scene name -> (background texture, foreground layers, image speed px/s at 346 px)
LIVE_SCENES = {
    "mixed": ("astronaut.png", 1, 50.0),
    "text": ("text", 1, 30.0),
    "checkerboard": ("checkerboard", 0, 40.0),
    "natural": ("coffee.png", 2, 50.0),
    "shapes": ("shapes", 2, 50.0),
    "still": ("camera.png", 1, 0.0),
}


def live_scene(name: str, width: int = 346, height: int = 260, seed: int = 0,
               images: tuple[str, ...] = ()) -> Scene:
    """A preset scene for the live camera (deterministic in ``name``, ``seed`` and ``images``).
    ``images``: the user's pictures (:func:`~evfocus_live.simulate.textures.user_image_names`)
    every layer's texture is drawn from, the preset's own background too.

    Layers sit close to the subject's depth (blur <= 2.5 px at knob 0.5), so the knob
    sweeps the whole picture from blurred to sharp; the camera pans back and forth.
    """
    if name not in LIVE_SCENES:
        raise KeyError(name)
    tex, n_fg, speed = LIVE_SCENES[name]
    s = width / 346.0
    cfg = SimConfig(width=width, height=height, duration_s=1.0, sigma_range=(0.0, 2.5),
                    fg_layers=(n_fg, n_fg), speed_range_px_s=(speed, speed), p_still=0.0,
                    static=speed == 0.0, max_rotation_rad_s=0.15, p_z_motion=0.0, p_perspective=0.0,
                    light_range=(1.0, 1.0), p_light_change=0.0, contrast_range=(0.3, 0.3),
                    refractory_range_us=(100.0, 100.0), noise_rate_range_hz=(0.02, 0.02),
                    hot_pixel_fraction_range=(0.0, 0.0), images=tuple(images))
    rng = np.random.default_rng([seed, sorted(LIVE_SCENES).index(name)])
    scene = sample_scene(cfg, rng, texture=None if images else tex)
    # fixed optics: the subject at 0.5 m, a 25 mm f/2.8 lens (8 px of knob blur is
    # reachable on both sides), other layers 0.5-2.5 px out of focus behind / in front
    lens = Lens(25.0, 2.8, scene.lens.pixel_pitch_um)
    inv_s = 2.0
    k = lens.gain_px_m(1.0 / inv_s)
    subj = 1 if len(scene.layers) > 1 else 0
    inv = [inv_s if i == subj else inv_s + (-1 if i == 0 else 1) * rng.uniform(0.5, 2.5) / k
           for i in range(len(scene.layers))]
    layers = [dataclasses.replace(ly, depth_m=1.0 / inv[i],
                                  parallax=float(np.clip(inv[i] / inv[0], 1.0, 4.0)) if i else 1.0)
              for i, ly in enumerate(scene.layers)]
    scene = dataclasses.replace(scene, layers=tuple(layers), lens=lens,
                                focus=FocusSchedule(1.0 / inv_s))
    # endless pan: the camera bounces inside a quarter of the view instead of drifting away
    cam = dataclasses.replace(scene.camera, bounce_w=width * 0.25, bounce_h=height * 0.25)
    if speed == 0.0:
        cam = Trajectory()
    return dataclasses.replace(scene, camera=cam, sigma_range=(0.0, 12.0 * s))


class LiveSim:
    """A scene + simulator + knobs (focus, speed, light), stepping in sensor time.

    Example::

        live = LiveSim("mixed")
        live.set_focus(0.2)
        ev = live.advance(10_000)   # 10 ms of events
    """

    def __init__(self, scene: str = "mixed", width: int = 346, height: int = 260, seed: int = 0,
                 focus: float = 0.5, speed: float = 1.0, light: float = 1.0,
                 min_step_us: float = 2000.0, max_step_us: float = 10_000.0,
                 max_log_step: float = 1.0, images: tuple[str, ...] = ()):
        self.width, self.height, self.seed = int(width), int(height), int(seed)
        #: the user's pictures the scenes are drawn from (``()``: the presets' own textures)
        self.images = tuple(images)
        self.knob_sigma_px = 8.0 * width / 346.0
        self.min_step_us, self.max_step_us = float(min_step_us), float(max_step_us)
        #: live default 1.0 C per render step (offline 0.5): a few crossings per step are
        #: interpolated in time anyway, and it halves the renders
        self.max_log_step = float(max_log_step)
        self.focus = float(focus)
        self.speed = float(speed)
        self.light = float(light)
        self.sim: Simulator | None = None
        self.scene_name = ""
        self.set_scene(scene)

    # --- knobs -------------------------------------------------------------------
    def set_scene(self, name: str, t_us: float | None = None) -> None:
        """Switch scene; sensor time continues from ``t_us`` (default: where it was)."""
        scene = live_scene(name, self.width, self.height, self.seed, self.images)
        t0 = self.sim.t_us if (t_us is None and self.sim is not None) else float(t_us or 0.0)
        rng = np.random.default_rng([self.seed, 7])
        self.sim = Simulator(scene, rng, max_log_step=self.max_log_step, min_step_us=self.min_step_us,
                             max_step_us=self.max_step_us, t0_us=t0)
        self.scene_name = name
        subj = scene.layers[1] if len(scene.layers) > 1 else scene.layers[0]
        self._subject_depth_m = subj.depth_m
        self._apply()
        self.sim.restart_pixels()  # from the scene as the knobs show it: no burst of events

    def set_images(self, names) -> None:
        """Draw the scenes from these pictures (``()``: the presets' own textures); the
        current scene is drawn again, sensor time continuing."""
        self.images = tuple(names)
        self.set_scene(self.scene_name)

    def set_focus(self, knob: float) -> None:
        self.focus = float(np.clip(knob, 0.0, 1.0))
        self._apply()

    def set_speed(self, factor: float) -> None:
        self.speed = float(np.clip(factor, 0.0, 10.0))
        self._apply()

    def set_light(self, level: float) -> None:
        self.light = float(np.clip(level, 0.01, 10.0))
        self._apply()

    def focus_distance_m(self, knob: float | None = None) -> float:
        """Focus distance for a knob position (default: the current one)."""
        k = self.focus if knob is None else knob
        lens = self.sim.scene.lens
        inv_s = 1.0 / self._subject_depth_m
        target = (k - 0.5) * 2.0 * self.knob_sigma_px  # signed subject blur, px
        inv = inv_s
        for _ in range(4):  # fixed point: the lens gain depends on the focus distance itself
            inv = max(inv_s + target / lens.gain_px_m(1.0 / max(inv, 0.01)), 0.01)
        return 1.0 / inv

    def _apply(self) -> None:
        self.sim.renderer.focus_override_m = self.focus_distance_m()
        self.sim.speed = self.speed
        self.sim.light_scale = self.light

    # --- stepping ------------------------------------------------------------------
    @property
    def t_us(self) -> float:
        return self.sim.t_us

    def advance(self, t_end_us: float) -> np.ndarray:
        return self.sim.advance(t_end_us)

    def subject_sigma_px(self, knob: float | None = None) -> float:
        """Blur sigma of the subject layer for a knob position (default: the current one).

        Pure arithmetic on the lens (live subjects do not move in depth), so a GUI thread
        may call it while the simulator runs.
        """
        sc = self.sim.scene
        s = sc.lens.sigma_px_scalar(self._subject_depth_m, self.focus_distance_m(knob))
        return min(max(s, sc.sigma_range[0]), sc.sigma_range[1])
