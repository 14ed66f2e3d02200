"""Event pane rendering that outlives one window: decaying accumulation or time surface.

The pipeline's ``FrameResult.event_image`` shows exactly the events of one network
window ("window" mode). The viewer also offers DV-style modes that need the raw stream,
built on :mod:`evfocus_live.core.render`: ``EventAccumulator`` (exponential decay) and
``TimeSurface``. They are fed every batch the source delivers (worker thread) and
rendered on demand (GUI thread), under one lock.
"""

from __future__ import annotations

import threading

import numpy as np

from ..core.render import EventAccumulator, TimeSurface

MODES = ("window", "decay", "time_surface")


class EventView:
    """Thread-safe decaying accumulator / time surface of one sensor's event stream.

    Parameters:
        width, height: sensor size in pixels.
        mode: "decay" or "time_surface" ("window" is the pipeline's own image).
        decay_ms: decay constant on the sensor clock, in ms.
        palette: colours (:data:`~evfocus_live.core.render.PALETTE_CHOICES`), read at each render.
    """

    def __init__(self, width: int, height: int, mode: str = "decay", decay_ms: float = 30.0,
                 palette: str = "dark"):
        self.width, self.height = int(width), int(height)
        self.palette = palette
        self._lock = threading.Lock()
        self._mode = mode
        self._decay_ms = float(decay_ms)
        self._acc = EventAccumulator(self.width, self.height, decay_ms=self._decay_ms)
        self._ts = TimeSurface(self.width, self.height, tau_ms=self._decay_ms)
        self.t_now_us: int | None = None

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"event mode must be one of {MODES}, got {mode!r}")
        self._mode = mode

    @property
    def decay_ms(self) -> float:
        return self._decay_ms

    @decay_ms.setter
    def decay_ms(self, value: float) -> None:
        with self._lock:
            self._decay_ms = float(value)
            self._acc.decay_ms = self._decay_ms
            self._ts.tau_ms = self._decay_ms

    def reset(self) -> None:
        with self._lock:
            self._acc.reset()
            self._ts.reset()
            self.t_now_us = None

    def add(self, ev: np.ndarray) -> None:
        """Feed one batch (EVENT_DTYPE); a jump back in time (seek, loop) starts over."""
        if not len(ev):
            return
        with self._lock:
            t_last = int(ev["t"][-1])
            if self.t_now_us is not None and t_last < self.t_now_us:
                self._acc.reset()
                self._ts.reset()
            if self._mode == "time_surface":
                self._ts.update(ev)
            else:
                self._acc.update(ev)
            self.t_now_us = t_last

    def render(self) -> np.ndarray:
        """HxWx3 uint8 RGB of the current state."""
        with self._lock:
            if self._mode == "time_surface":
                return self._ts.render(self.t_now_us, palette=self.palette)
            return self._acc.render(palette=self.palette)
