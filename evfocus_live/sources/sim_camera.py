"""The simulated live camera (source ``sim``): a defocused scene with a focus knob.

A worker thread renders the scene and generates events paced to the wall clock, so the
viewer sees a live camera without hardware; the knobs (focus, scene, speed, light) can be
turned while it runs. With ``realtime=False`` there is no thread: each :meth:`read`
advances simulated time by ``step_ms`` (deterministic, for tests and batch use).

Keeping up with real time on one core: the renderer caches blurred layer textures (they
are re-blurred only when the focus changes), warps foreground layers in their bounding box
only, and render steps adapt to the motion (>= 2 ms); when the simulator still falls
behind, the step floor rises to half the lag (coarser but on time), and past
``max_lag_ms`` the sensor clock is held back instead (timestamps stay monotonic, the
camera just runs slower than the wall clock; :attr:`stats` reports it).
"""

from __future__ import annotations

import collections
import logging
import math
import threading
import time

import numpy as np

from ..errors import ConfigError, DeviceError, first_line
from ..events import EVENT_DTYPE, concat
from .base import EventSource

log = logging.getLogger(__name__)


def _finite(v) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _knob_value(name: str, value) -> float:
    """A knob's value as a float; ConfigError for NaN/inf/non-numbers, which pass np.clip
    and used to kill the worker (NaN blur sigma) so the stream ended without a word."""
    if not _finite(value):
        raise ConfigError(f"sim camera: {name} must be a finite number, got {value!r}")
    return float(value)


class SimCameraSource(EventSource):
    """Live simulated event camera.

    Parameters:
        width, height: sensor size (default DAVIS346, 346x260).
        scene: preset name (see :meth:`scene_names`).
        seed: scene randomness (textures, layout).
        realtime: pace events to the wall clock in a worker thread (default); ``False``
            makes each ``read()`` advance simulated time by ``step_ms`` synchronously.
        step_ms: simulated time per ``read()`` when ``realtime=False``.
        focus: focus knob in [0, 1]; 0.5 = subject in focus, 0 / 1 = focused far behind /
            near in front of it (subject blur 8 px at 346 px width).
        speed: motion speed factor (0 = frozen scene, 1 = preset speed).
        light: illumination factor (lower = darker, fewer and noisier events).
        max_buffer_events: events kept for a slow reader; older ones are dropped
            (and counted in ``stats["dropped"]``).
        max_lag_ms: beyond this lag the sensor clock is held back rather than rushed.

    Example::

        with SimCameraSource(scene="text") as cam:
            cam.set_focus(0.2)           # defocus
            batch = cam.read()           # events since the last read (maybe empty)
    """

    format = "sim"
    sensor = "simulated"
    is_live = True

    def __init__(self, width: int = 346, height: int = 260, scene: str = "mixed", seed: int = 0,
                 realtime: bool = True, step_ms: float = 10.0, focus: float = 0.5,
                 speed: float = 1.0, light: float = 1.0, max_buffer_events: int = 4_000_000,
                 max_lag_ms: float = 250.0, read_wait_ms: float = 20.0, **kwargs):
        kwargs.pop("camera", None)
        if kwargs:
            raise ConfigError(f"sim camera: unknown option(s) {', '.join(sorted(kwargs))}")
        try:
            width, height, seed = int(width), int(height), int(seed)
        except (TypeError, ValueError):
            raise ConfigError(f"sim camera: width, height and seed must be integers, "
                              f"got {width!r}, {height!r}, {seed!r}") from None
        if not (16 <= width <= 2048 and 16 <= height <= 2048):
            raise ConfigError(f"sim camera: resolution {width}x{height} out of range (16..2048)")
        if seed < 0:
            raise ConfigError(f"sim camera: seed must be >= 0, got {seed}")
        if scene not in self.scene_names():
            raise ConfigError(f"sim camera: unknown scene {scene!r} (choose from {', '.join(self.scene_names())})")
        for name, v in (("step_ms", step_ms), ("max_lag_ms", max_lag_ms), ("read_wait_ms", read_wait_ms)):
            if not _finite(v) or float(v) <= 0:  # NaN passed `<= 0` and stopped the clock
                raise ConfigError(f"sim camera: {name} must be > 0, got {v}")
        focus, speed, light = _knob_value("focus", focus), _knob_value("speed", speed), _knob_value("light", light)
        from ..simulate.camera import LiveSim

        self.width, self.height = int(width), int(height)
        self.realtime = bool(realtime)
        self.step_us = float(step_ms) * 1e3
        self.max_buffer_events = int(max_buffer_events)
        self.max_lag_us = float(max_lag_ms) * 1e3
        self.read_wait_s = float(read_wait_ms) * 1e-3
        self._lock = threading.Lock()          # guards the simulator
        self._pending_lock = threading.Lock()  # guards knob changes not yet applied
        self._pending: dict = {}
        self._cond = threading.Condition()     # guards the queue
        self._queue: collections.deque[np.ndarray] = collections.deque()
        self._queued = 0
        self._closed = False
        self._error: str | None = None  # set when the worker died: read() raises it
        self._live = LiveSim(scene, self.width, self.height, seed=seed, focus=focus, speed=speed,
                             light=light)
        self._base_min_step_us = self._live.sim.min_step_us
        self.stats = {"events": 0, "dropped": 0, "renders": 0, "held_back_us": 0.0, "lag_us": 0.0}
        self._thread = None
        # warm up (numba kernel load, first blur) before the clock starts
        self._live.advance(self._live.t_us + 1.0)
        if self.realtime:
            self._t_wall0 = time.perf_counter()
            self._t_held_us = 0.0
            self._thread = threading.Thread(target=self._run, name="sim-camera", daemon=True)
            self._thread.start()

    # --- knobs (thread-safe) ------------------------------------------------------
    @staticmethod
    def scene_names() -> list[str]:
        from ..simulate.camera import LIVE_SCENES
        return list(LIVE_SCENES)

    # Setters never wait for the simulator: they record the new value, and the worker
    # (or the next non-realtime read) applies it between render chunks, so a GUI thread
    # turning a knob never blocks on a render.
    def _set(self, name: str, value) -> None:
        with self._pending_lock:
            self._pending[name] = value

    def _apply_pending(self) -> None:
        """Apply queued knob changes; call with ``self._lock`` held.

        A change leaves ``_pending`` only once applied: taken out first, :meth:`controls`
        briefly reported the old value (the GUI's knob could jump back)."""
        if not self._pending:  # the usual tick (every render chunk): nothing to do, no lock
            return
        with self._pending_lock:
            pending = dict(self._pending)
        for name, value in pending.items():
            getattr(self._live, f"set_{name}")(value)
            if name in ("scene", "images"):  # (a new scene: its own step floor)
                self._base_min_step_us = self._live.sim.min_step_us
        with self._pending_lock:
            for name, value in pending.items():
                if name in self._pending and self._pending[name] == value:  # not turned again meanwhile
                    del self._pending[name]

    def set_focus(self, knob: float) -> None:
        """Focus knob in [0, 1]: 0.5 = subject sharp; 0 / 1 = strongly defocused."""
        self._set("focus", float(np.clip(_knob_value("focus", knob), 0.0, 1.0)))

    def set_scene(self, name: str) -> None:
        """Switch to another preset scene (sensor time continues)."""
        if name not in self.scene_names():
            raise ConfigError(f"sim camera: unknown scene {name!r} (choose from {', '.join(self.scene_names())})")
        self._set("scene", name)

    def set_images(self, names) -> None:
        """Draw the scenes from the user's pictures (``evfocus-live --images``; names as
        :func:`~evfocus_live.simulate.textures.user_image_names` gives them), every preset
        picked later too; ``[]``: the presets' own textures again."""
        if isinstance(names, str) or not all(isinstance(n, str) and n for n in names):
            raise ConfigError(f"sim camera: images must be a list of picture names, got {names!r}")
        self._set("images", tuple(names))

    def set_speed(self, factor: float) -> None:
        """Motion speed factor (0 freezes the scene)."""
        self._set("speed", float(np.clip(_knob_value("speed", factor), 0.0, 10.0)))

    def set_light(self, level: float) -> None:
        """Illumination factor (1 = preset level)."""
        self._set("light", float(np.clip(_knob_value("light", level), 0.01, 10.0)))

    def _knob(self) -> float:
        with self._pending_lock:
            return float(self._pending.get("focus", self._live.focus))

    @property
    def focus_distance_m(self) -> float:
        """Focus distance (m) the knob maps to (includes a turn not yet applied; never blocks)."""
        return self._live.focus_distance_m(self._knob())

    def subject_sigma_px(self) -> float:
        """Blur sigma of the subject layer (what the focus knob sets); never waits for a render."""
        return self._live.subject_sigma_px(self._knob())

    def ground_truth(self) -> dict:
        """What the scene looks like now: ``sharp`` and ``blurred`` (uint8 HxW), ``sigma``
        (px, float32 HxW) and ``t_us`` — for showing the true sharp frame beside a
        reconstruction."""
        with self._lock:
            self._apply_pending()
            sharp, blurred, sigma, _ = self._live.sim.ground_truth()
            return {"t_us": int(self._live.t_us), "sharp": sharp, "blurred": blurred, "sigma": sigma}

    def controls(self) -> dict[str, dict]:
        """The knobs for a GUI: ``{name: spec}`` in display order.

        Each spec has ``kind`` ("float" or "choice"), ``label``, ``help``, ``value`` and
        either ``min``/``max``/``step`` or ``choices``; the setter is ``set_<name>``
        (or :meth:`set_control`). Values include changes the worker has not applied yet.
        """
        lv = self._live
        with self._pending_lock:
            cur = {"focus": lv.focus, "scene": lv.scene_name, "speed": lv.speed, "light": lv.light,
                   **self._pending}
        return {
            "focus": {"kind": "float", "label": "focus", "min": 0.0, "max": 1.0, "step": 0.01,
                      "value": cur["focus"],
                      "help": "focus knob: 0.5 = subject in focus, 0 = focused far, 1 = focused near"},
            "scene": {"kind": "choice", "label": "scene", "choices": self.scene_names(), "value": cur["scene"],
                      "help": "preset scene"},
            "speed": {"kind": "float", "label": "speed", "min": 0.0, "max": 4.0, "step": 0.1,
                      "value": cur["speed"], "help": "motion speed factor (0 = frozen)"},
            "light": {"kind": "float", "label": "light", "min": 0.05, "max": 2.0, "step": 0.05,
                      "value": cur["light"], "help": "illumination (lower = darker, noisier)"},
        }

    def set_control(self, name: str, value) -> None:
        """Set a knob by its :meth:`controls` name (GUI convenience)."""
        setter = {"focus": self.set_focus, "scene": self.set_scene, "speed": self.set_speed,
                  "light": self.set_light}.get(name)
        if setter is None:
            raise ConfigError(f"sim camera: unknown control {name!r}")
        setter(value)

    # --- the stream -----------------------------------------------------------------
    def _push(self, ev: np.ndarray) -> None:
        if not len(ev):
            return
        with self._cond:
            self._queue.append(ev)
            self._queued += len(ev)
            self.stats["events"] += len(ev)
            while self._queued > self.max_buffer_events and len(self._queue) > 1:
                old = self._queue.popleft()
                self._queued -= len(old)
                self.stats["dropped"] += len(old)
            self._cond.notify_all()

    @property
    def dropped_events(self) -> int:
        return int(self.stats["dropped"])

    def _now_us(self) -> float:
        return (time.perf_counter() - self._t_wall0) * 1e6 - self._t_held_us

    def _run(self) -> None:
        tick_us = 2000.0
        chunk_us = 5000.0
        try:
            while not self._closed:
                now = self._now_us()
                with self._lock:
                    self._apply_pending()
                    sim = self._live.sim
                    lag = now - sim.t_us
                    if lag > self.max_lag_us:  # hopelessly behind: hold the sensor clock back
                        self._t_held_us += lag - self.max_lag_us
                        self.stats["held_back_us"] += lag - self.max_lag_us
                        lag = self.max_lag_us
                    self.stats["lag_us"] = lag
                    if lag >= tick_us:
                        # coarser steps when behind, the preset floor when on time
                        sim.min_step_us = float(np.clip(lag / 2.0, self._base_min_step_us, 20_000.0))
                        r0 = sim.renders
                        ev = sim.advance(sim.t_us + min(lag, chunk_us))
                        self.stats["renders"] += sim.renders - r0
                    else:
                        ev = None
                if ev is None:
                    time.sleep((tick_us - lag) * 1e-6)
                else:
                    self._push(ev)
        except Exception as exc:  # never die silently: read() hands on the events, then raises
            log.exception("sim camera worker failed")
            msg = first_line(exc, "no detail")
            with self._cond:
                self._error = f"sim camera: the simulator failed ({type(exc).__name__}: {msg})"
                self._cond.notify_all()

    def read(self) -> np.ndarray | None:
        """Events since the last call (sorted); empty if none within a short wait; None once closed."""
        if self._closed:
            return None
        if not self.realtime:
            with self._lock:
                self._apply_pending()
                ev = self._live.advance(self._live.t_us + self.step_us)
            self.stats["events"] += len(ev)
            return ev
        with self._cond:
            if not self._queue and self._error is None:
                self._cond.wait(self.read_wait_s)
            if self._closed:
                return None
            if not self._queue:
                if self._error is not None:  # a fault, not the end of the stream: say so
                    raise DeviceError(self._error)
                return np.empty(0, EVENT_DTYPE)
            batches = list(self._queue)
            self._queue.clear()
            self._queued = 0
        return batches[0] if len(batches) == 1 else concat(batches)

    def close(self) -> None:
        """Stop the worker (joins it) and end the stream; safe to call twice."""
        self._closed = True
        with self._cond:
            self._queue.clear()
            self._queued = 0
            self._cond.notify_all()
        t, self._thread = self._thread, None
        if t is not None and t is not threading.current_thread():
            t.join(timeout=5.0)
