"""One running viewer session, Qt-free: source + threaded pipeline + recorder.

The window and ``evfocus-live --headless`` both drive a :class:`LiveSession`. It runs
the :class:`~evfocus_live.pipeline.Pipeline` in its threaded real-time mode (a reader
thread pacing file replay by the sensor clock into a bounded ring buffer, a worker
thread that skips to the newest window when inference falls behind). Each finished
frame replaces the previous one in a one-slot mailbox (:class:`LatestSlot`) that the
GUI's paint timer empties, so nothing ever queues without bound: a slow painter simply
skips frames.

The source is wrapped in :class:`TapSource`, which feeds the recorder and the event
view, stamps batch arrival times (for event-to-paint latency) and records a source
fault (camera unplugged, file corrupt mid-stream) so the viewer can report it and fall
back instead of silently stopping.
"""

from __future__ import annotations

import bisect
import ctypes
import dataclasses
import gc
import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..config import ModelConfig, PostConfig, WindowConfig, model_size
from ..core.stats import FrameRate, RateMeter
from ..errors import EvFocusError, first_line
from ..nn.registry import resolve_device
from ..plugins import check_events
from ..sources.base import EventSource, gap_to, read_named
from .eventview import EventView
from .recording import ClockShift, Recorder

log = logging.getLogger(__name__)

SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 0.0)  # 0 = as fast as possible
#: ring buffer between reader and worker: ~0.3 s at 13 Mev/s, 52 MB
RING_CAPACITY = 4_000_000
#: the thread that reads a recording's APS frames (see LiveSession._load_aps)
APS_THREAD = "evfocus-aps-frames"
#: seconds :meth:`LiveSession.stop` waits for it after closing the source: our AEDAT4 reader
#: stops within a packet; a plugin's read that ignores the close is left to finish alone
APS_JOIN_S = 1.0


class LatestSlot:
    """A one-item mailbox: ``put`` replaces, ``take`` empties. Never grows."""

    def __init__(self):
        self._lock = threading.Lock()
        self._item = None
        self.replaced = 0  # frames that were never painted

    def put(self, item) -> None:
        with self._lock:
            if self._item is not None:
                self.replaced += 1
            self._item = item

    def take(self):
        with self._lock:
            item, self._item = self._item, None
            return item


class TapSource(EventSource):
    """Wraps the real source: taps for recorder / event view / latency, fault capture."""

    def __init__(self, inner: EventSource, session: LiveSession):
        self.inner = inner
        self.format = inner.format
        self.sensor = inner.sensor
        self.width, self.height = int(inner.width), int(inner.height)
        self.is_live = bool(inner.is_live)  # instance attribute shadows the ClassVar
        self._session = session
        self.t_us: int | None = None  # sensor time of the newest event read
        self.error: str | None = None
        self._pending: np.ndarray | None = None  # rest of a file batch not handed on yet
        #: where the rest is cut: (chunk_us, the cuts into ``_pending`` as it was when they were
        #: found, the next one's index, the events handed on since), found once a batch (a search
        #: in the strided ``t`` field at each slice copied the rest of the batch: quadratic)
        self._cuts: tuple[int, np.ndarray, int, int] | None = None
        #: a slice after a pause in the recording, handed on but tapped (event view, arrival
        #: stamp, recorder, ``t_us``) only once the pipeline has played up to it: at its next read(). It
        #: was shown as it was read, before the pause was played: the event pane jumped seconds
        #: ahead at the pause's start, and the first frame after it counted the pause as latency
        self._held: np.ndarray | None = None
        #: (a live camera) seconds its read() waited since its last batch: the silence after which
        #: a step back of its clock is a restart (``recording.SILENCE_S``), not the wall time since
        #: that batch, which counts a reader held up elsewhere while the camera streamed on ...
        self._waiting_s = 0.0
        #: ... and for the batch being tapped (None: not a live camera's)
        self.waited_s: float | None = None

    #: file batches are handed on in slices of at most this much sensor time (times the speed
    #: over 1x), so the arrival stamp (taken here, just before the pipeline paces the slice) is
    #: within CHUNK_US of wall time of the slice being due: event-to-paint latency stays honest
    CHUNK_US = 2_000
    #: events outside the sensor are dropped here (the pipeline's ``SensorBounds``, one warning,
    #: counted in its dropped events), before the recorder and the event view see them: the
    #: pipeline need not look again
    checks_sensor_bounds = True

    def read(self) -> np.ndarray | None:
        s = self._session
        if s._stop.is_set():
            return None
        pipe = getattr(s, "pipeline", None)
        held, self._held = self._held, None
        if held is not None:  # (played: the pipeline asks for the next)
            self._show(held)
        if self._pending is None or not len(self._pending):
            t0_s = time.monotonic()
            try:
                batch = check_events(read_named(self.inner), self.format)  # a plugin's wrong return: one line
                self._waiting_s += time.monotonic() - t0_s
            except Exception as exc:  # the pipeline sees it too; we keep the first line
                msg = first_line(exc)
                if getattr(s, "_reopen", None) is None:  # (reopened instead: the pipeline says the fault and retries)
                    self.error = msg if isinstance(exc, EvFocusError) else f"{type(exc).__name__}: {msg}"
                raise
            if batch is None:
                return None
            if pipe is not None and len(batch):
                batch = pipe.check_bounds(batch)
            self._pending, self._cuts = batch, None
        batch = self._pending
        if not self.is_live and len(batch) and pipe is not None and pipe.speed > 0:
            # (CHUNK_US of wall time at any speed: at --speed 10 a slice of 2 ms of sensor time
            # was 0.2 ms of wall time, more slices than the reader could hand on)
            chunk_us = int(self.CHUNK_US * max(1.0, pipe.speed))
            if self._cuts is None or self._cuts[0] != chunk_us:
                from ..pipeline import pace_edges

                # (where the pipeline paces: at a clock restart too, and on the time reached for
                # rows out of order; a binary search in unsorted times put seconds of both clocks
                # in one slice, a burst for the event view and the recorder)
                self._cuts = (chunk_us, pace_edges(batch["t"], chunk_us), 0, 0)
            chunk_us, edges, i, done = self._cuts
            cut = int(edges[i]) - done if i < len(edges) else len(batch)
            batch, self._pending = batch[:cut], batch[cut:]
            self._cuts = (chunk_us, edges, i + 1, done + cut)
            if len(batch) and self.t_us is not None and int(batch["t"][0]) - self.t_us > chunk_us:
                self._held = batch  # (recorded once played too: a seek in the pause drops it)
                return batch
        else:
            self._pending = self._cuts = None
        if len(batch):
            self._show(batch)
        return batch

    @property
    def clock_epoch(self) -> int:
        """The number of the live camera's clock its last batch was on (``ClockShift.clock``):
        the pipeline carries it to the batch's frames (``FrameResult.clock``)."""
        return self._session.frame_clock.clock

    def _show(self, batch: np.ndarray) -> None:
        self.waited_s, self._waiting_s = (self._waiting_s if self.is_live else None), 0.0
        self._session._on_events(batch)
        self.t_us = int(batch["t"][-1])

    def reopen(self) -> None:
        """Open the camera again (the pipeline's reconnect, in its reader thread): the old
        one closed first (its USB handle is the one the new one needs)."""
        try:
            self.inner.close()
        except Exception as exc:
            log.debug("closing the lost camera raised: %s", exc)
        inner = self._session._reopen()
        self.inner, self.format, self.sensor = inner, inner.format, inner.sensor
        self.width, self.height = int(inner.width), int(inner.height)
        self._pending = self._cuts = self._held = None
        self._session._arrivals.clear()  # (a camera's clock may start again at 0: latency from anew)
        self._session.recorder.source_reopened()  # (a step back of its clock, however small: a restart)
        self._session.frame_clock.restarted()

    def seek(self, t_us: int) -> None:
        # called by the pipeline under its lock: every frame made after this is post-seek; one
        # made before may still be on its way out of the worker (it emits outside the lock)
        self.inner.seek(t_us)
        self._pending = self._cuts = self._held = None  # (a held slice: not played)
        self.error = None  # (read afresh: a looping replay's damage is behind it)
        self.t_us = int(t_us)
        s = self._session
        # (a remake's seek reads again what the recording has: :meth:`LiveSession.redo`)
        again, s._remake_at_us = s._remake_at_us == int(t_us), None
        s.recorder.source_sought(again)
        s._arrivals.clear()
        pipe = getattr(s, "pipeline", None)  # (None: a seek while the pipeline is built)
        s._first_index = pipe.stats.frames if pipe is not None else 0
        if pipe is None or not pipe.seek_pending:  # a newer seek already asked for: still awaited
            s._awaiting_seek = False

    def time_range_us(self):
        return self.inner.time_range_us()

    @property
    def can_seek(self) -> bool:
        return self.inner.can_seek

    @property
    def dropped_events(self) -> int:
        return self.inner.dropped_events

    def aps_frames(self):
        """The inner source's APS frames; a recording's only once the session has read them
        in the background (none until then): the pipeline asks at every window, and a long
        recording's read (up to 512 MiB, seconds) must hold up neither it nor the GUI."""
        # (explicit: the base class's "none" would hide the inner source's from __getattr__)
        ready = getattr(self._session, "aps_ready", None)
        if not self.is_live and ready is not None:
            return self._session.aps_loaded if ready.is_set() else ()
        fn = getattr(self.inner, "aps_frames", None)
        return fn() if fn is not None else ()

    #: (not the inner source's: the pipeline would read a recording's frames on its own thread
    #: for their times; it takes them from :meth:`aps_frames`, read in the background)
    aps_times_us = None

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:  # set_focus, controls(), ... of the sim camera
        if name in ("inner", "_session"):
            raise AttributeError(name)
        return getattr(self.inner, name)


@dataclass
class FrameView:
    """What the painter needs from one reconstructed frame (all arrays owned, never mutated)."""

    index: int
    t_us: int
    n_events: int
    image: np.ndarray              # HxW uint8
    event_image: np.ndarray | None  # HxWx3 uint8
    defocus: np.ndarray | None     # HxW float32 blur sigma (px) or None
    defocus_mean_px: float | None
    infer_ms: float
    t_done: float                  # wall time the worker finished it
    aps: np.ndarray | None = None  # HxW uint8 the camera's APS frame at or before t_us (a DAVIS)
    aps_t_us: int | None = None
    t_start_us: int | None = None  # where its window began (``LiveSession.redo``)
    #: wall time its last event was read (``LiveSession.arrival_wall``), taken when the worker
    #: finished it: by paint time a looped replay's next pass may have read that time again
    arrival: float | None = None
    #: HxW uint8 the compare model's frame of the same window (``ModelConfig.compare``), or None
    compare: np.ndarray | None = None


def _as_hw(a) -> np.ndarray | None:
    if a is None:
        return None
    if hasattr(a, "detach"):
        a = a.detach().cpu().numpy()
    a = np.asarray(a)
    while a.ndim > 2 and a.shape[0] == 1:
        a = a[0]
    return a


def frame_view(fr, t_done: float) -> FrameView:
    """Normalise a pipeline ``FrameResult`` for painting."""
    image = _as_hw(fr.image)
    if image.dtype != np.uint8:
        image = np.clip(image * (255.0 if image.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    defocus = _as_hw(getattr(fr, "sigma", None))
    if defocus is not None:
        defocus = defocus.astype(np.float32, copy=False)
    # the pipeline's activity-weighted readout (core.defocus; None for a near-empty window, not
    # the map's plain mean: that is the model's prior there); the plain mean for a frame without one
    mean = getattr(fr, "defocus_px", None)
    if not hasattr(fr, "defocus_px") and defocus is not None and defocus.size:
        mean = float(np.mean(defocus))
    return FrameView(index=int(fr.index), t_us=int(fr.t_us), n_events=int(fr.n_events),
                     image=np.ascontiguousarray(image), event_image=fr.event_image, defocus=defocus,
                     defocus_mean_px=mean, infer_ms=float(fr.infer_ms or 0.0), t_done=t_done,
                     aps=getattr(fr, "aps", None), aps_t_us=getattr(fr, "aps_t_us", None),
                     t_start_us=getattr(fr, "t_start_us", None), compare=getattr(fr, "compare", None))


class DirectIntegration(torch.nn.Module):
    """Stand-in "model" when no network loads: leaky direct integration of events.

    Keeps the viewer usable (events still shown, a rough intensity image beside them)
    when the requested model and the default both fail; the frame pane says so.
    """

    arch = "direct-integration"

    def __init__(self, num_bins: int = 5, contrast: float = 0.15, leak: float = 0.9):
        super().__init__()
        self.config = {"num_bins": num_bins}
        self.contrast, self.leak = contrast, leak
        self._state: torch.Tensor | None = None

    def reset_states(self) -> None:
        self._state = None

    def forward(self, voxel: torch.Tensor) -> dict[str, torch.Tensor]:
        x = voxel.sum(dim=1, keepdim=True) * self.contrast
        if self._state is None or self._state.shape != x.shape:
            self._state = torch.zeros_like(x)
        self._state = self._state * self.leak + x
        return {"image": torch.sigmoid(self._state)}


def open_with_fallback(spec: str, messages: list[str], fallback: bool = True) -> EventSource:
    """Open ``spec``; a missing camera (or ``auto`` with none attached) falls back to sim.

    Messages for the user are appended to ``messages``. File errors are not masked:
    they raise, so the caller decides (the window keeps the current source). With
    ``fallback=False`` (headless runs: nobody sees a fallback) only ``auto`` falls back,
    and a named camera that is not there raises its one-line error.
    """
    from ..sources import CAMERA_NAMES, open_source
    strict = spec not in CAMERA_NAMES or spec == "sim" or (not fallback and spec != "auto")
    try:
        return open_source(spec)
    except EvFocusError as exc:
        if strict:
            raise
        messages.append(f"{exc} - showing the simulated camera instead")
    except Exception as exc:  # a camera backend/driver import failure
        if strict:
            raise EvFocusError(f"cannot open {spec}: {exc}") from exc
        messages.append(f"camera {spec!r} unavailable ({type(exc).__name__}: {exc}) - "
                        "showing the simulated camera instead")
    return open_source("sim")


class LiveSession:
    """Source + threaded pipeline. Thread-safe command methods; poll the rest.

    Parameters:
        source: an open EventSource (the session owns and closes it).
        window, model, post: the pipeline configs.
        model_obj: an already-built model (tests, or to keep the model across sources).
        event_mode, decay_ms: event pane mode ("window", "decay", "time_surface").
        palette: the event pane's colours in every mode (``core.render.PALETTE_CHOICES``).
        speed: file replay speed (0 = as fast as possible); loop: replay files forever.
        fallback: the viewer's way with a bad setting, each with a visible message: a
            device that is not there runs on the CPU, a model that cannot load falls back
            to ``evfocus``, then to direct event integration, and an unknown post-processor
            is left out. False (headless: nobody sees a message) raises instead.
        reopen: opens the camera again after a fault (a USB drop): the pipeline then retries
            with back-off (its ``reconnect``) and the recording goes on; None (the viewer,
            which switches to the simulated camera) ends the run at the fault.
    """

    def __init__(self, source: EventSource, window: WindowConfig | None = None,
                 model: ModelConfig | None = None, post: PostConfig | None = None, *,
                 model_obj=None, event_mode: str = "window", decay_ms: float = 30.0, palette: str = "dark",
                 speed: float = 1.0, loop: bool = False, recorder: Recorder | None = None,
                 fallback: bool = True, cpu_warned: str | None = None,
                 reopen: Callable[[], EventSource] | None = None):
        self._reopen = reopen if source.is_live else None
        self.window_cfg = window or WindowConfig()
        self._cpu_warned = cpu_warned  # (the viewer's last session said this model's CPU warning)
        self.model_cfg = model or ModelConfig()
        self.post_cfg = post or PostConfig()
        self.recorder = recorder or Recorder()
        self.slot = LatestSlot()
        self.messages: deque[tuple[str, str]] = deque(maxlen=200)
        self.event_rate = RateMeter()
        self.frame_rate = FrameRate()  # (from the frames' intervals: steady for a slow model)
        self._stop = threading.Event()
        self._arrivals: deque[tuple[int, float]] = deque(maxlen=4096)
        #: paused seek: run until the first frame after the seek, then pause
        self._pause_at_t_us: int | None = None
        #: a seek was requested and the reader has not done it yet: frames are stale
        self._awaiting_seek = False
        #: where the last seek went, until a frame from there is shown (relative seeks add up)
        self._seek_base_us: int | None = None
        #: frames numbered below it were made before the last seek
        self._first_index = 0
        #: where the seek of a remake (``redo``) goes, until the reader does it: the events it
        #: reads again are not recorded again (``Recorder.source_sought``)
        self._remake_at_us: int | None = None
        self.frames_done = 0
        #: called with each frame shown (``FrameView``), on the worker's thread: headless
        #: ``--frames-dir`` writes them
        self.frame_sink: Callable[[FrameView], None] | None = None
        #: a live camera's frames given to ``frame_sink`` are timed on this clock: carried on over
        #: a clock restart (the camera opened again from 0) as the recording's events are, so the
        #: two agree (a replay's frames keep the file's times, as ``evfocus reconstruct``'s). Every
        #: live run advances it, sink or not: its number (``clock_epoch``) is what closes the open
        #: window at a restart (the viewer's and a headless --video run's mixed two clocks)
        self.frame_clock = ClockShift(say=False, frames=True)
        #: how many times the threads were started (a replay from the end, a seek past it): a
        #: pass can end between two readout ticks, so the window tells ends apart by this
        self.passes = 0
        self.last_frame: FrameView | None = None
        self.failed = False
        self.no_model = False
        #: why a model asked for did not load ("model": the main one, "compare": the second),
        #: the error's own text, kept for a caller that must say it (the screenshot script's one
        #: line) without picking it out of the log; a model or compare model that loads later drops its own
        self.load_errors: dict[str, str] = {}
        self.fallback = bool(fallback)
        #: a recording's APS frames, read once in the background (``aps_ready`` set when done)
        self.aps_loaded: Any = ()
        self.aps_ready = threading.Event()
        self._aps_thread: threading.Thread | None = None  # joined by stop()
        self.source = TapSource(source, self)
        if self.source.is_live or getattr(source, "aps_frames", None) is None:
            self.aps_ready.set()  # (a camera answers from memory: the last few it received)
        else:
            self._aps_thread = threading.Thread(target=self._load_aps, name=APS_THREAD, daemon=True)
            self._aps_thread.start()
        self.event_mode = event_mode
        self.palette = palette
        self.event_view = EventView(self.source.width, self.source.height,
                                    mode="decay" if event_mode == "window" else event_mode, decay_ms=decay_ms,
                                    palette=palette)
        #: the model was built by the caller (``model_obj``), not loaded by name: a precision
        #: change re-prepares that object instead of loading ``model_cfg.name`` again
        self._given_model = model_obj is not None
        self.pipeline = self._build_pipeline(model_obj, fallback)
        self._say_precision_problem()
        for text in (self.pipeline.cpu_warning if self.pipeline.cpu_warning_new else None,
                     self.pipeline.backend_warning):
            if text:  # (the pipeline has logged it: show it, do not log it twice)
                self.messages.append(("warning", text))
        # the stream's warnings (a camera's broken clock; a RAW file's clock reset, read on the reader
        # thread): to the status bar too (the routes there: see pipeline.SourceWarnings)
        self.pipeline.on_warning = lambda text: self.messages.append(("warning", text))
        self.pipeline.speed = float(speed)
        self.pipeline.loop = bool(loop)
        #: the recording's (first, last) t_us, found once in the background (see time_range_us)
        self._range_us: tuple[int, int] | None = None
        #: a RAW or AEDAT4 file's sensor clocks' (first, last) t_us, file order (one unless it was reset)
        self._clocks_us: list[tuple[int, int]] = []
        self.range_ready = threading.Event()
        if self.source.is_live:
            self.range_ready.set()
        else:
            threading.Thread(target=self._find_range, name="evfocus-time-range", daemon=True).start()

    # ---- construction -----------------------------------------------------------
    def _build_pipeline(self, model_obj, fallback: bool = True):
        """The pipeline; the viewer's (``fallback``) with its compare model set after it is built,
        so that one that cannot load is said and left out, not taken for the main model's fault."""
        compare = self.model_cfg.compare if fallback else None
        if compare is not None:
            self.model_cfg = dataclasses.replace(self.model_cfg, compare=None)
        pipe = self._build_main_pipeline(model_obj, fallback)
        pipe.event_palette = self.palette
        if compare is not None and "model" in self.load_errors and not self.no_model:
            from ..nn.registry import same_model

            if same_model(compare, self.model_cfg.name):  # (the launch's same-model rule, after the fallback)
                self.message(f"compare model {compare}: the model running instead - comparing with none", "warning")
                compare = None
        if compare is not None:
            self.pipeline = pipe
            self.set_compare(compare, kept="comparing with none")  # (a new pipeline: none ran)
        return pipe

    def _build_main_pipeline(self, model_obj, fallback: bool = True):
        from ..core.postprocess import build_postprocessors
        from ..pipeline import Pipeline

        def build(**kw):
            return Pipeline(self.source, self.window_cfg, self.model_cfg, self.post_cfg,
                            ring_capacity=RING_CAPACITY, reconnect=self._reopen is not None,
                            cpu_warned=self._cpu_warned, **kw)
        if not fallback:  # headless: a bad device, model or post-processor is the run's error
            return build() if model_obj is None else build(model_obj=model_obj)
        if self.window_cfg.roi is not None:  # (one the sensor cannot hold: the whole sensor, said)
            from ..config import check_roi_fits

            try:
                check_roi_fits(self.window_cfg.roi, self.source.width, self.source.height,
                               f"the {self.source.format} source's")
            except EvFocusError as exc:
                self.message(f"{exc} - running on the whole sensor", "error")
                self.window_cfg = dataclasses.replace(self.window_cfg, roi=None)
        usable = []
        for step in self.post_cfg.steps:  # leave out only the steps that cannot be built
            try:
                build_postprocessors((step,), self.post_cfg.options, width=self.source.width,
                                     height=self.source.height)
                usable.append(step)
            except Exception as exc:
                self.message(f"{exc} - running without it", "error")
        if len(usable) < len(self.post_cfg.steps):
            self.post_cfg = dataclasses.replace(self.post_cfg, steps=tuple(usable))
        try:  # (no "use --device cpu": the viewer has gone on on the CPU, its box says so)
            resolve_device(self.model_cfg.device, fix="")
        except EvFocusError as exc:
            self.message(f"{exc} - running on the CPU", "error")
            self.model_cfg = dataclasses.replace(self.model_cfg, device="cpu")
        if model_obj is not None:
            return build(model_obj=model_obj)
        try:
            return build()
        except EvFocusError as exc:
            first = str(exc)
        self.load_errors["model"] = first
        if self.model_cfg.name != "evfocus":
            try:
                pipe = build(model_obj=_load("evfocus", self.model_cfg.device))
                self.message(f"{first} - using model 'evfocus' instead", "error")
                self.model_cfg = dataclasses.replace(self.model_cfg, name="evfocus")
                return pipe
            except EvFocusError:
                pass
        self.no_model = True
        self.message(f"{first} - no model loaded: showing direct event integration", "error")
        return build(model_obj=DirectIntegration(self.window_cfg.num_bins))

    # ---- properties ---------------------------------------------------------------
    @property
    def is_live(self) -> bool:
        return self.source.is_live

    @property
    def has_aps(self) -> bool:
        """The source gives APS frames: a camera with an APS stream or a recording with a
        frame stream (``has_aps``: known without reading the frames), or one whose frames
        have been read (a plugin without ``has_aps``). Never waits for the frames."""
        return bool(getattr(self.source, "has_aps", False)) or bool(len(self.source.aps_frames()))

    @property
    def aps_loading(self) -> bool:
        """A recording's APS frames are still being read (the viewer says so in their pane)."""
        return not self.aps_ready.is_set()

    def _load_aps(self) -> None:
        """Read a recording's APS frames once, off the GUI thread (opening a long DAVIS
        recording took ~2 s for its frames). A source that fails or is closed under the read
        has none (a warning, unless the session was stopped: :meth:`stop` closes the source,
        which ends our reader's read at its next packet, and joins this thread)."""
        try:
            frames = self.source.inner.aps_frames() or ()
        except Exception as exc:
            if not self._stop.is_set():
                log.warning("%s source: APS frames unavailable (%s: %s)", self.source.format,
                            type(exc).__name__, first_line(exc, "no detail"))
            frames = ()
        self.aps_loaded = () if self._stop.is_set() else frames  # (stopped: up to 512 MiB freed now)
        self.aps_ready.set()

    def _find_range(self) -> None:
        try:
            self._range_us = self.source.time_range_us()
            clocks = getattr(self.source, "clocks", None)  # (the same index: no second decode)
            self._clocks_us = [(int(a), int(b)) for _, a, b in clocks()] if clocks is not None else []
        except Exception as exc:  # a corrupt tail: no seek bar, but the replay goes on
            if not self._stop.is_set():  # (else: the source was closed under the scan, say nothing)
                log.warning("time range unavailable: %s", exc)
        finally:
            self.range_ready.set()

    @property
    def time_range_us(self) -> tuple[int, int] | None:
        """(first, last) t_us of a recording; None for a live source and until the
        background scan is done. Finding the end of a RAW file means decoding all of it
        (seconds for a large one): never on the GUI thread, and only once."""
        return self._range_us

    @property
    def t_us(self) -> int | None:
        return self.source.t_us

    @property
    def seek_target_us(self) -> int | None:
        """Where the last seek went, until a frame from there is made; else None."""
        return self._seek_base_us

    @property
    def speed(self) -> float:
        return self.pipeline.speed

    @property
    def loop(self) -> bool:
        return self.pipeline.loop

    @property
    def paused(self) -> bool:
        return self.pipeline.paused

    @property
    def pausing(self) -> bool:
        """A paused replay's one frame is on its way (a seek, or a setting remade): the pipeline
        runs for it, then pauses again; to the user the replay is paused all along."""
        return self._pause_at_t_us is not None

    @property
    def running(self) -> bool:
        return self.pipeline.running

    @property
    def ended(self) -> bool:
        """A recording played to its end (no loop) and the threads finished."""
        return (not self.failed and self.source.error is None and not self.running
                and self.pipeline.stats.status == "finished")

    def stats(self) -> Any:
        return self.pipeline.stats

    @property
    def stalled_s(self) -> float:
        """How long the source's read() has not returned, once that is ``pipeline.STALL_S``
        or more (a camera stalled or unplugged, a plugin source that hangs); else 0."""
        return float(getattr(self.pipeline.stats, "stalled_s", 0.0) or 0.0)

    @property
    def stall_hint(self) -> str:
        return self.pipeline.stall_hint

    @property
    def sigma_max_px(self) -> float:
        """Top of the model's defocus scale (EvFocus: its largest re-blur sigma), else 8 px."""
        cfg = getattr(self.pipeline.model, "config", None)
        try:
            return float(max(cfg["sigmas_px"])) if isinstance(cfg, dict) and cfg.get("sigmas_px") else 8.0
        except (TypeError, ValueError):
            return 8.0

    def message(self, text: str, level: str = "info") -> None:
        getattr(log, "warning" if level == "error" else level)("%s", text)
        self.messages.append((level, text))

    # ---- taps (pipeline threads) ----------------------------------------------------
    def _on_events(self, batch: np.ndarray) -> None:
        now = time.monotonic()
        waited_s = getattr(self.source, "waited_s", None)  # (how long a live camera's reads waited for it)
        self.event_rate.add(len(batch), now)
        if self.source.is_live and len(batch):  # (every live run, not only --frames-dir's: its number cuts the open window)
            clock = self.frame_clock.clock
            self.frame_clock.advance(batch, wall_s=now, waited_s=waited_s)
            if self.frame_clock.clock != clock:  # a restart no reopen said (a reset, a step back after
                self._arrivals.clear()  # a silence): the lookup bisects, so one clock's times only
        self._arrivals.append((int(batch["t"][-1]), now))
        pipe = getattr(self, "pipeline", None)
        if self.event_mode != "window" and not (pipe is not None and pipe.paused):  # paused: the pane holds still
            self.event_view.add(batch)
        if self.source.is_live:  # (its arrival: a restart of the camera's clock keeps the time it was away)
            self.recorder.write_events(batch, wall_s=now, waited_s=waited_s)
        else:
            self.recorder.write_events(batch)

    def _on_frame(self, fr) -> None:
        t_pause = self._pause_at_t_us
        if self._awaiting_seek or fr.index < self._first_index:
            return  # from before a seek: never show the old position again (nor pause on it)
        if self.pipeline.paused and t_pause is None:
            return  # windows already in the ring when pause was pressed: not shown
        self._seek_base_us = None
        self.pipeline.unpaced.clear()  # (a paused replay's one frame, read unpaced: here it is)
        view = frame_view(fr, time.monotonic())
        view.arrival = self.arrival_wall(view.t_us)
        self.frames_done += 1
        self.frame_rate.add(1, view.t_done)
        self.last_frame = view
        self.recorder.write_frame(view.image, view.t_us)
        if self.source.is_live:  # (asked for every live frame: the clocks before its are let go)
            t_us = self.frame_clock.frame_time_us(view.t_us, fr.clock)
            if self.frame_sink is not None:
                self.frame_sink(dataclasses.replace(view, t_us=t_us))
        elif self.frame_sink is not None:
            self.frame_sink(view)
        self.slot.put(view)
        if t_pause is not None:  # a seek while paused: show this one frame, pause again
            self.pipeline.pause()  # (first: the GUI thread must never see it neither paused nor pausing)
            self._pause_at_t_us = None

    def arrival_wall(self, t_us: int) -> float | None:
        """Wall time at which the first batch reaching sensor time ``t_us`` was read."""
        arr = list(self._arrivals)
        if not arr:
            return None
        i = bisect.bisect_left([a[0] for a in arr], t_us)
        return arr[i][1] if i < len(arr) else None

    # ---- commands (GUI thread) -------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self.passes += 1
        self.pipeline.start(self._on_frame)

    def pause(self) -> None:
        self.pipeline.unpaced.clear()
        self.pipeline.pause()

    def resume(self) -> None:
        self._pause_at_t_us = None
        self.pipeline.unpaced.clear()  # (played: at the replay speed again)
        self._arrivals.clear()  # stamps from before the pause would count the pause as latency
        if self.ended and not self.source.can_seek:
            self.message(f"this {self.source.format} source cannot seek: open it again to replay it", "warning")
            return
        if self.ended:  # replay from the start
            r = self.time_range_us
            if r is not None:
                self.pipeline.seek(r[0])
            self.pipeline.resume()
            self.start()
            return
        self.pipeline.resume()

    def toggle_pause(self) -> bool:
        """Pause or resume (at the end of a recording: play it again; while a paused replay's one
        frame is made, play on from there); True when now paused."""
        if self.paused or self.ended or self.pausing:
            self.resume()
        else:
            self.pause()
        return self.paused

    def seek(self, t_us: int, at_once: bool = False, exact: bool = False, remake: bool = False) -> None:
        """Jump to sensor time ``t_us`` (clamped to the recording); shows one frame if paused.
        That frame, and with ``at_once`` the next one, is made as fast as the machine can
        (``Pipeline.unpaced``): at 0.1x a 100 ms window took a second to show. Near the end,
        not past the start of the recording's last whole window (see :meth:`last_window_us`);
        ``exact`` (a remake of the window on show) goes where it is told; ``remake``: what it
        reads again is not recorded again (a user's seek back is: recorded as played on)."""
        if self.is_live:
            self.message("a live source cannot seek", "warning")
            return
        if not self.source.can_seek:
            self.message(f"this {self.source.format} source cannot seek", "warning")
            return
        r = self.time_range_us
        if r is not None:
            r = self._clock_span_us(t_us, r)
            t_us = int(min(max(t_us, r[0]), r[1] if exact else self.last_window_us(r)))
        self._arrivals.clear()
        self.event_view.reset()
        self.source.t_us = int(t_us)
        was_paused = self.paused
        if was_paused or at_once:
            self.pipeline.unpaced.set()
        self._awaiting_seek = True  # (first: a frame in flight must not clear the next line)
        self._seek_base_us = int(t_us)
        self._remake_at_us = int(t_us) if remake else None
        self.pipeline.seek(int(t_us))
        if not self.running:  # finished (or never started): restart from there
            if was_paused:  # show the frame there, then pause again
                self._pause_at_t_us = int(t_us)
            self.pipeline.resume()
            self.start()
        elif was_paused:
            self._pause_at_t_us = int(t_us)
            self.pipeline.resume()

    def _clock_span_us(self, t_us: int, r: tuple[int, int]) -> tuple[int, int]:
        """The span a seek to ``t_us`` stays in: the recording's ``r``; in a file whose clock was reset,
        for a time between its clocks (the slider spans all their times on one axis), the nearest
        clock's: its start, or its last whole window. Such a time went to the file's start."""
        spans = self._clocks_us
        if len(spans) < 2 or any(gap_to(c, t_us) == 0 for c in spans):
            return r
        return min(spans, key=lambda c: gap_to(c, t_us))

    def last_window_us(self, r: tuple[int, int]) -> int:
        """Where a window that ends with the recording's last event starts: a seek to the end
        (the → key, the slider's end) made a window of the last event alone, a blank event
        pane, a flat grey frame and a spike in the focus meter. A duration or adaptive window
        is ``window_ms`` long; an event-count one is taken to last as long as the frame on show."""
        cfg = self.window_cfg
        span_us = cfg.window_ms * 1000.0
        fv = self.last_frame
        if cfg.mode == "events" and fv is not None and fv.t_start_us is not None and fv.t_us > fv.t_start_us:
            span_us = fv.t_us - fv.t_start_us
        return max(r[0], r[1] - int(span_us) + 1)

    def seek_relative(self, dt_us: int) -> None:
        """From the frame on show, or from where the last seek went if none is shown from
        there yet (pressing the arrow key twice goes 2 s, not 1 s)."""
        base = self._seek_base_us
        if base is None:
            base = self.last_frame.t_us if self.last_frame is not None else (self.t_us or 0)
        self.seek(base + int(dt_us))

    def redo(self) -> None:
        """Make the frame on show again (a paused replay after a new setting): a seek to where
        its window began, so the next frame covers the same events (a seek to its end showed
        the window after it, on the last one of a looped file the first of the next pass).
        Where a seek is still on its way, that seek again. Made at once, not at the replay
        speed (also at the end of a recording, which is not paused)."""
        fv = self.last_frame
        if self._seek_base_us is not None or fv is None:
            base = self._seek_base_us
            if base is None:
                base = self.t_us or 0
            # (a seek not done yet is that seek still: a user's jump back, recorded as played on)
            self.seek(base, at_once=True, exact=True, remake=not self.pipeline.seek_pending)
        else:
            self.seek(fv.t_start_us if fv.t_start_us is not None else fv.t_us, at_once=True, exact=True,
                      remake=True)

    def set_speed(self, speed: float) -> None:
        self.pipeline.set_speed(speed)
        if not self.paused and self.running:
            self.pipeline.resume()  # re-anchors the sensor clock to the wall clock

    def set_loop(self, loop: bool) -> None:
        self.pipeline.loop = bool(loop)

    def reset_state(self) -> None:
        try:
            self.pipeline.reset_state()
        except EvFocusError as exc:  # a post-processor plugin's reset() that raised (a traceback out of r)
            self.message(str(exc), "error")
            return
        self.event_view.reset()
        self.message("network state reset")

    def set_model(self, name: str, device: str | None = None, config: ModelConfig | None = None) -> bool:
        """Switch model (``config``: its precision, threads and backend too, as a settings file
        gives them); on failure keep the current one and say why."""
        try:
            if device is not None:  # what to do in the viewer, not the command line's "--device cpu"
                resolve_device(device, fix="pick cpu or auto in the device box")
            self._set_pipeline_model(name, device, config)
        except EvFocusError as exc:
            self.message(f"{exc} - keeping the current model", "error")
            return False
        except Exception as exc:
            self.message(f"model {name!r} failed: {type(exc).__name__}: {exc} - keeping the current model", "error")
            return False
        self.no_model = False
        self.load_errors.pop("model", None)  # (one that runs now: the start's fallback is over)
        self._given_model = not isinstance(name, str)
        self.model_cfg = self.pipeline.model_cfg
        self.message(f"model: {name} on {self.pipeline.device}")
        for text in (self.pipeline.cpu_warning if self.pipeline.cpu_warning_new else None,
                     self.pipeline.backend_warning):
            if text:
                self.messages.append(("warning", text))
        self._say_precision_problem()  # (a device switch: fp16 asked, now on the CPU)
        return True

    def _set_pipeline_model(self, model, device: str | None, config: ModelConfig | None) -> None:
        """``pipeline.set_model``, which loads the compare model again for the new device and
        precision: one that no longer loads (its checkpoint deleted since) or fits is left out,
        said, rather than the switch asked for refused (it held the main model until the user set
        "compare" to none). The switch's own failure raises, as without a compare model."""
        try:
            self.pipeline.set_model(model, device, config=config)
        except Exception as exc:
            cfg = self.pipeline.model_cfg if config is None else config
            if cfg.compare is None:
                raise
            self.pipeline.set_model(model, device, config=dataclasses.replace(cfg, compare=None))
            text = (str(exc) if isinstance(exc, EvFocusError)
                    else f"compare model {cfg.compare!r} failed: {type(exc).__name__}: {exc}")
            self.message(f"{text} - comparing with none", "error")

    def set_compare(self, name: str | None, kept: str = "keeping the current comparison") -> bool:
        """Run the model ``name`` beside the main one on the same windows (None or "none": no
        second model); both states are reset. On failure keep the current choice and say why
        (``kept``: what runs then, said after the fault)."""
        try:
            self.pipeline.set_compare(name)
        except Exception as exc:
            why = str(exc) if isinstance(exc, EvFocusError) else (
                f"compare model {name!r} failed: {type(exc).__name__}: {exc}")
            self.load_errors["compare"] = why
            self.message(f"{why} - {kept}", "error")
            return False
        self.load_errors.pop("compare", None)
        cmp = self.pipeline.model_cfg.compare
        # (its compare only: after a fallback the pipeline's config still names the model that failed)
        self.model_cfg = dataclasses.replace(self.model_cfg, compare=cmp)
        self.message(f"comparing with {cmp} on {self.pipeline.device}" if cmp else "comparing with none")
        return True

    def set_precision(self, choice: str) -> bool:
        """Run the model in ``choice`` (``gui.precision.PRECISION_CHOICES``), rebuilt as a model
        switch builds it: loaded again by name (CUDA fp16 weights are not turned back into fp32),
        or the object given re-prepared; the recurrent state is reset, as a model switch resets it.
        A choice the device cannot run runs fp32, said as a warning; on failure the current model
        goes on and the message says why."""
        from .precision import with_precision

        return self._rebuild_model(with_precision(self.model_cfg, choice), f"precision {choice}", "precision")

    def set_model_config(self, cfg: ModelConfig) -> bool:
        """Run with the model settings ``cfg`` (a settings file's): another name loaded as
        :meth:`set_model` loads it; the same name rebuilt with the rest (device, precision,
        threads, backend) as :meth:`set_precision` rebuilds it, a model object given kept."""
        if cfg.name != self.model_cfg.name:
            return self.set_model(cfg.name, cfg.device, config=cfg)
        if not self._rebuild_model(cfg, f"model {cfg.name}", "model"):
            return False
        if not self.no_model:  # (the file names the model that runs: no longer a fallback for another)
            self.load_errors.pop("model", None)
        return True

    def _rebuild_model(self, cfg: ModelConfig, what: str, kept: str) -> bool:
        model = self.pipeline.model if (self._given_model or self.no_model) else cfg.name
        try:
            self._set_pipeline_model(model, None, cfg)
        except EvFocusError as exc:
            self.message(f"{exc} - keeping the current {kept}", "error")
            return False
        except Exception as exc:
            self.message(f"{what}: {type(exc).__name__}: {exc} - keeping the current {kept}", "error")
            return False
        self.model_cfg = self.pipeline.model_cfg
        if self.pipeline.backend_warning:  # (a backend named for a GPU: the pipeline's line says it)
            self.messages.append(("warning", self.pipeline.backend_warning))
        self._say_precision_problem()
        return True

    def _say_precision_problem(self) -> None:
        """A precision the device cannot run (it runs fp32): one warning line."""
        from .precision import precision_choice, precision_problem

        if self.no_model:  # (direct event integration: no network to run in any precision)
            return
        choice = precision_choice(self.model_cfg)
        problem = precision_problem(choice, self.pipeline.device)
        if problem and choice == "bf16":  # (a device without it: the runtime has logged this line)
            self.messages.append(("warning", problem))
        elif problem:
            self.message(problem, "warning")

    def set_window(self, window: WindowConfig) -> bool:
        try:
            self.pipeline.set_window(window)
        except EvFocusError as exc:
            self.message(str(exc), "error")
            return False
        self.window_cfg = window
        return True

    def set_post(self, steps: tuple[str, ...], options: dict | None = None) -> bool:
        """Run the post-processing ``steps`` (with ``options``, a settings file's; default: the
        current ones); on failure keep the current chain and say why."""
        post = dataclasses.replace(self.post_cfg, steps=tuple(steps),
                                   options=self.post_cfg.options if options is None else options)
        try:
            self.pipeline.set_post(post)
        except EvFocusError as exc:
            self.message(str(exc), "error")
            return False
        except Exception as exc:  # a plugin's constructor raising
            self.message(f"post-processing failed: {type(exc).__name__}: {exc}", "error")
            return False
        self.post_cfg = post
        return True

    def set_palette(self, palette: str) -> None:
        """The event pane's colours: the decay and time-surface views from their next paint, the
        network window's from its next frame."""
        self.palette = palette
        self.event_view.palette = palette
        self.pipeline.event_palette = palette

    def set_event_mode(self, mode: str, decay_ms: float | None = None) -> None:
        if mode != "window":
            self.event_view.mode = mode
            self.event_view.reset()
        self.event_mode = mode
        if decay_ms is not None:
            self.event_view.decay_ms = float(decay_ms)

    def check(self) -> str | None:
        """Poll from the GUI thread: a fault message once the pipeline died of one."""
        if self.failed:
            return None
        st = self.pipeline.stats.status
        err = self.source.error
        if err is None and st.startswith(("source error", "worker error")):
            err = st
        if err is None:
            return None
        if self._reopen is not None and st.startswith("source error") and self.pipeline.running:
            return None  # a lost camera the reader is opening again (said by the pipeline)
        if (not self.is_live and not st.startswith("worker error") and self.pipeline.running
                and not self.pipeline.drained):
            # a file's fault: first show the frames of the events read before it; or a loop
            # goes on past a bad packet (Pipeline._loop_past_damage: its seek clears ``error``)
            return None
        if self.source.error is None and st.startswith("worker error") and (
                self._drop_failed_post(st) or self._drop_failed_compare(st)):
            return None
        self.failed = True
        return err

    def _drop_failed_post(self, status: str) -> bool:
        """A post-processor that raised mid-stream (the worker's fault, not the source's):
        with ``fallback`` leave it out and go on with the same source, as when it cannot be
        built. True when done."""
        step = next((n for n in self.post_cfg.steps if f"post-processor {n!r}" in status), None)
        if not self.fallback or step is None:
            return False
        self.pipeline.stop()  # the worker has died; the reader waits for nobody
        if not self.set_post(tuple(n for n in self.post_cfg.steps if n != step)):
            return False
        self.message(f"{status.removeprefix('worker error: ')} - running without it", "error")
        self.start()
        return True

    def _drop_failed_compare(self, status: str) -> bool:
        """A compare model that raised mid-stream: with ``fallback`` left out, the main model going
        on with the same source (the second pane's fault stopped both), as a failed post-processor
        is. True when done."""
        cmp = self.pipeline.compare
        if not self.fallback or cmp is None or f"worker error: compare model {cmp.name!r} " not in status:
            return False
        self.pipeline.stop()  # the worker has died; the reader waits for nobody
        self.pipeline.set_compare(None)
        self.model_cfg = dataclasses.replace(self.model_cfg, compare=None)
        self.message(f"{status.removeprefix('worker error: ')} - comparing with none", "error")
        self.start()
        return True

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop the threads, finalise any recording, close the source. Safe to call twice."""
        self._stop.set()
        try:  # (a camera's first read in progress is waited for only when it has an event file to reach)
            self.pipeline.stop(timeout_s, wait_first_read=self.recorder.records_events)
        finally:
            self.recorder.stop()
            try:
                self.source.close()  # (a recording's APS read in progress stops at its next packet)
            except Exception as exc:
                log.debug("closing the source raised: %s", exc)
            self._join_aps(APS_JOIN_S)  # (not timeout_s: a switch gives the worker 0.1 s)

    def _join_aps(self, timeout_s: float) -> None:
        """Wait for the APS-reading thread, the source closed: a read left running read a closed
        (or by then reused) file descriptor and held its frames after the viewer moved on."""
        t = self._aps_thread
        if t is None or t is threading.current_thread():
            return
        t.join(max(0.0, timeout_s))
        if t.is_alive():  # (a plugin's aps_frames() that does not stop when its source closes)
            log.debug("%s source: its APS read has not returned; left to finish alone", self.source.format)
        else:
            self._aps_thread = None

    close = stop


#: a model that cannot keep up is said when it starts, and again only this long after (a model
#: near the input rate falls behind and catches up by turns)
BEHIND_SAY_EVERY_S = 60.0


class BehindNotice:
    """When to say ``PipelineStats.behind``: as it starts, at most once every ``BEHIND_SAY_EVERY_S``.
    ``recovered``: set by :meth:`due` when a spell that was said has ended, so "keeps up again" is
    said once after each warning (a model near the input rate flaps: the pipeline's own line for
    each end came three times in a 6 s run, after one warning)."""

    def __init__(self):
        self._on = False
        self._said_on = False
        self._said_at: float | None = None
        self.recovered = False

    def due(self, behind: str, now: float) -> bool:
        starts = bool(behind) and not self._on
        self.recovered = self._on and not behind and self._said_on
        if self.recovered:
            self._said_on = False
        self._on = bool(behind)
        if starts and (self._said_at is None or now - self._said_at >= BEHIND_SAY_EVERY_S):
            self._said_at = now
            self._said_on = True
            return True
        return False


def faster_hint(pipe, viewer: bool) -> str:
    """What to change when the model cannot keep up (``PipelineStats.behind``), worded for the
    viewer (its Window group's boxes) or the command line (``--downsample``, ``--roi``), from
    :meth:`~evfocus_live.pipeline.Pipeline.faster_settings`; '' when neither applies. A file
    played at a speed is told that ``--speed 0`` (the speed box's "max") shows every window."""
    down, roi = pipe.faster_settings()
    w, h = pipe.width, pipe.height
    tips = []
    if down is not None:
        nw, nh = model_size(*pipe.source_size, pipe.roi, down)
        what = f"the Window group's downsample box at {down}x{down}" if viewer else f"--downsample {down}"
        tips.append(f"{what} (the model sees {nw}x{nh}: {w * h / (nw * nh):.0f}x fewer pixels)")
    if roi is not None:
        text = ",".join(str(v) for v in roi)
        now = int(pipe.window_cfg.downsample)
        sees = ""
        if now > 1:  # (what the model would see: 87x65 at downsample 4 of a 1280x720 sensor, unsaid)
            sees = ": the model sees {}x{} at downsample {}".format(*model_size(*pipe.source_size, roi, now), now)
        tips.append((f"its ROI box, e.g. {text}" if viewer and tips else f"the Window group's ROI box, e.g. {text}"
                     if viewer else f"--roi {text}") + f" (a {roi[2]}x{roi[3]} part of the sensor{sees})")
    out = f"try {' or '.join(tips)}" if tips else ""
    if not pipe.source.is_live and pipe.speed > 0:
        every = "the speed box at max" if viewer else "--speed 0"
        out += ("; " if out else "") + f"{every} shows every window of the file, slower than real time"
    return out


_malloc_trim: Any = None


def release_freed_memory() -> None:
    """Hand the heap that freed sessions left behind back to the OS (glibc's
    ``malloc_trim``; a no-op elsewhere). The reader, worker and torch threads allocate in
    glibc arenas of their own, and freed session memory stayed in them: 24 source switches
    grew the viewer from ~580 MB to ~1.6 GB; trimmed after each, it ended at ~0.76 GB (peak 1.0).
    Costs ~0.3 s (the full gc): called where the viewer pauses anyway, a source switch."""
    global _malloc_trim
    if _malloc_trim is None:
        _malloc_trim = False
        if sys.platform.startswith("linux"):
            try:  # only glibc has it (musl does not): looked up in the process's own C library
                _malloc_trim = ctypes.CDLL(None).malloc_trim
                _malloc_trim.argtypes, _malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
            except (OSError, AttributeError):
                _malloc_trim = False
    if _malloc_trim:
        gc.collect()  # sessions are freed by the cycle collector (thread <-> pipeline), not at once
        _malloc_trim(0)


def _load(name: str, device: str):
    from ..nn.registry import load_model
    return load_model(name, device)
