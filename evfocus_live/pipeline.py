"""The headless pipeline: source -> ring buffer -> slicer -> voxel grid -> model -> frames.

No Qt here: the GUI and the CLI both drive this class.

* :meth:`Pipeline.frames` -- synchronous iterator in the caller's thread; reads the
  source as fast as it delivers and never drops anything (CLI, batch work, the GUI's
  own worker thread).
* :meth:`Pipeline.start` / :meth:`Pipeline.stop` -- threaded real-time mode: a reader
  thread fills a bounded :class:`~evfocus_live.ringbuffer.EventRingBuffer` (file replay
  paced by the *sensor* clock at ``speed`` x real time, 0 = as fast as possible); a
  worker thread slices, infers and calls ``on_frame`` with the newest result. When
  inference falls behind live or paced input, the ring drops the oldest events and the
  worker skips to the newest window: nothing queues without bound. A file at speed 0
  is held back instead (:meth:`Pipeline.backpressure_events`): every window is shown.

With ``WindowConfig.downsample`` N > 1 the slicer, voxel grid, model, post-processors and
frames see a ``ceil(W/N) x ceil(H/N)`` sensor (events binned to ``x // N``, ``y // N`` as the
worker takes them from the ring, see ``_filter_events``); the ring, the sensor-bounds check
and anything tapping the source (the viewer's recorder) keep the source's full resolution.
``WindowConfig.roi`` (x, y, w, h) comes first, in the same place: only the events inside it
go on, shifted to its origin, so everything after sees a ``w x h`` sensor (binned after that).
Events outside the ROI are left out on purpose: not dropped, not outside the sensor. An ROI
that does not fit the sensor is a ConfigError when the source is set up (``set_window`` leaves
the running one), or, on a reconnect to a smaller sensor, a warning and the whole sensor.

The recurrent state is reset on seek, source change, resolution change, window or
model change, and on request (:meth:`Pipeline.reset_state`). Faults are contained:
a NaN/Inf output drops that frame and resets the state (one warning), CUDA out of
memory moves the model to the CPU, a source error resets the state and -- for live
sources -- reconnects with back-off; a model that raises is one :class:`CheckpointError`
line (``frames()`` raises it; threaded, the run ends with a "worker error" status that
``stop()`` keeps); ``stats.status`` says what happened. In threaded mode a source's ``read()``
that has not returned for ``STALL_S`` (a camera stalled or unplugged, a plugin that hangs) is
one warning and ``stats.stalled_s`` while it lasts, watched by the worker between its ring
polls; events outside the sensor's width x height are dropped with one warning and counted
(``stats.outside_events``, part of ``dropped_events``). A stop and a later start (or
``frames()``) lose no event: the reader's unpushed batch and the worker's unshown windows
wait for it, as do the windows of a ``frames()`` loop left early; a worker a stop timed out
on (a slow model's window) is waited for by the next start, never run beside a new one.
"""

from __future__ import annotations

import atexit
import bisect
import collections
import contextlib
import dataclasses
import logging
import numbers
import os
import re
import threading
import time
import typing
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from .config import ModelConfig, PostConfig, SourceConfig, WindowConfig, check_roi_fits, model_size
from .core.defocus import activity_weights, defocus_readout_px, warm_abs_sum_bins
from .core.postprocess import (apply_event_filters, apply_frame_filters, build_postprocessors, reset_filters,
                               step_name)
from .core.render import crop_and_bin, event_image
from .core.stats import RateMeter
from .core.slicing import (RESTART_BACK_US, RESTARTS_CLOSE_MAX, AdaptiveSlicer, DurationSlicer, RateLimitedLogger,
                           TimestampSlicer, Window, make_slicer)
from .core.voxel import model_voxel
from .errors import CheckpointError, ConfigError, EvFocusError, InputError, first_line
from .events import EVENT_DTYPE, concat, describe
from .plugins import check_events, check_model_output
from .nn.runtime import InferenceModel, device_precision, set_threads
from .nn.registry import model_count_channel, model_num_bins, resolve_device
from .ringbuffer import EventRingBuffer
from .sources.base import EventSource, read_named

log = logging.getLogger(__name__)

#: above this many parameters a model is not real time on a laptop CPU (the full models: 10-12 M)
CPU_REALTIME_PARAMS = 2_000_000

__all__ = ["Pipeline", "FrameResult", "PipelineStats", "resolve_device"]

#: default ring buffer capacity in events (13 bytes each)
DEFAULT_RING_EVENTS = 4_000_000
#: the most events the default ring holds for large count windows (16 M, 208 MB)
MAX_RING_EVENTS = 16_000_000
#: a source's ``read()`` that has not returned for this long is a stall: said once (a
#: WARNING and ``stats.stalled_s``) instead of a frozen frame with no explanation. A camera
#: that sees nothing returns empty batches at once: that is not a stall
STALL_S = 5.0
#: how long ``stop()`` waits for a reader stuck in a stalled ``read()`` (not the full timeout)
STALLED_JOIN_S = 0.2
#: how long ``stop()`` waits for a live source's read() in progress: a camera's read polls
#: for 20 ms, so one still inside after this has not answered (a USB stall); waiting the full
#: 5 s for it made Ctrl-C, a window close or an exit take 7 s and say it three times
LIVE_READ_JOIN_S = 1.0
#: ... or twice its recent reads' longest, when that is more (a plugin camera whose reads take
#: 1.5 s each was left behind at every stop, said as not answering: its last batch, read after
#: the recording was finalised, was never recorded); this many reads are remembered
LIVE_READS_KEPT = 64
#: ... but a live source's first read(), before any has returned, is waited for until it has run
#: this long: it may compile numba kernels (the DAVIS unpacker) or set up the driver, seconds
#: once. A stop during it waited 1 s, and the batch it then read came after the recording was
#: finalised: lost. No longer than STALL_S: past that it is a stall (said), left as any is
FIRST_READ_JOIN_S = STALL_S
#: a live source's repeated read() fault (same kind) is said at most this often
SOURCE_FAULT_SAY_EVERY_S = 60.0
#: frame post-processing slower than this a frame, and slower than the model, for
#: ``SLOW_POST_FRAMES`` frames running, is said once naming the slowest step: a plugin that
#: took 3 s a frame showed "inference 3 ms", 0.3 fps and no word why
SLOW_POST_MS = 50.0
SLOW_POST_FRAMES = 3
#: of the last ``BEHIND_OF`` ring pops that made windows (or lost events), this many that lost
#: some (windows skipped to keep up, events the full ring dropped) before the model is said to be
#: behind live or paced input (``PipelineStats.behind``), and ``BEHIND_OF`` running that lost none
#: before that is taken back (a model near the input rate does not flap). Not "running" to say it: a looped short file's pass ends on its
#: tail window, a pop that loses none; nor one pop: a first window's warm-up (seconds, once)
#: skips windows too, and is not a model that cannot keep up
BEHIND_POPS = 3
#: a paced replay plays a gap in its recording (no events: a pause in the scene, a camera that
#: was stopped) as it was, at the replay speed, up to this many seconds of wall time; a longer
#: one is shortened to this, said once (a recording left running over lunch is not an hour's wait)
MAX_GAP_S = 5.0
#: a wait of at least this many wall seconds before a paced part is a played pause
#: (``Pipeline.played_gap``: the viewer says it instead of "no new frame ... a still scene?")
PLAYED_GAP_S = 1.0
#: a seek's wait (s of wall time) from which ``_anchor_at_seek`` asks whether the time sought is
#: before the recording (no pause to play): a shorter one is played as it is, without the scan
SEEK_WAIT_CHECKED_S = 0.05
BEHIND_OF = 6
#: ... and at least this many seconds of input (windows made, at the replay speed) with no window
#: skipped and no event dropped before it is taken back: six clean pops were ~0.1 s of a camera's
#: packets, and a model near the input rate on a slow VM was said to "keep up again" while it
#: still skipped windows every second or so
KEEP_UP_AGAIN_S = 3.0
#: a model this many times slower than the windows come (timed after its warm-up) is said at the
#: first pop that lost windows
FAR_SLOWER = 4.0
#: a sensor the model sees larger than this many pixels gets a centred ROI of this size as
#: a suggestion when it cannot keep up (a DAVIS346's: 6.5x the frame rate at 1280x720, README)
SUGGESTED_ROI_WH = (346, 260)
#: the fewest pixels a suggested ``downsample`` leaves the model (160x120; 1280x720 at 8 is 160x90)
MIN_SUGGESTED_PX = 160 * 120
#: event filters (``stage = "events"`` post-processors, run on each read batch) slower than
#: ``SLOW_POST_MS`` a batch and than the event time the batch spans (so slower than real
#: time), ``SLOW_POST_FRAMES`` batches running, are said once the same way: they were not timed


class SensorBounds:
    """Drops events outside the ``width`` x ``height`` sensor a source says it has (a plugin's:
    the built-in readers drop them themselves), with one warning naming the source and a
    running count (``total``). Unchecked, they were ignored in silence (blank frames), and a
    count window counted them. A max of x and y first: filtering only a batch that needs it."""

    def __init__(self, who: str, width: int, height: int):
        self.who, self.width, self.height = who, int(width), int(height)
        self.total = 0
        self._warned = False

    def renew(self, who: str, width: int, height: int) -> None:
        """Another source (or a new sensor size): warned again, the count goes on."""
        if who != self.who:
            self._warned = False
        self.who, self.width, self.height = who, int(width), int(height)

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        if not len(batch):
            return batch
        x, y = batch["x"], batch["y"]
        x_max, y_max = int(x.max()), int(y.max())
        if x_max < self.width and y_max < self.height:
            return batch
        kept = batch[(x < self.width) & (y < self.height)]
        n = len(batch) - len(kept)
        self.total += n
        if not self._warned:
            self._warned = True
            log.warning("%s source: dropped %d event(s) outside its %dx%d sensor (x up to %d, y up to %d); "
                        "later ones are counted in the dropped events", self.who, n, self.width, self.height,
                        x_max, y_max)
        return kept


@dataclass(frozen=True)
class PlayedGap:
    """A pause in the recording (no events) that a paced replay plays now: from the last event
    before it (``from_us``) to the next (``until_us``), in ``wall_s`` of wall time at ``speed``
    (``shortened`` to ``MAX_GAP_S``). The viewer said only "no new frame ... (a still scene?)"."""

    from_us: int
    until_us: int
    wall_s: float
    shortened: bool
    speed: float
    #: the replay started in it (a seek): ``from_us`` is the time sought, not the last event before it
    sought: bool = False
    #: at the end of the recording (``until_us``: its end, no event): a looping replay starts again then
    at_end: bool = False


@dataclass
class FrameResult:
    """One reconstructed frame (arrays are owned by the receiver, never mutated later).

    Attributes:
        index: running frame number (0-based, since the pipeline started).
        t_start_us, t_us: window start and the time the frame stands for (sensor clock).
        n_events: events in the window.
        image: uint8 HxW reconstructed frame (after post-processing).
        event_image: uint8 HxWx3 polarity image of the window's events (or None).
        sigma: float32 HxW defocus map (blur sigma in px) when the model predicts one.
        defocus_px: the map as one number, weighted by the window's event activity
            (``core.defocus``: flat regions only repeat the model's prior); None without a
            map, or for a window under ``core.defocus.MIN_READOUT_EVENTS_PER_PX``.
        blur: uint8 HxW the model's re-blurred / defocused-frame prediction, if any.
        infer_ms: voxel grid + network time for this frame.
        latency_ms: wall time from the window's last event entering the pipeline to
            this frame being ready.
        aps: uint8 HxW the camera's own grey-level (APS) frame, the last one at or before
            ``t_us`` (a DAVIS; None without one, or with ``Pipeline(aps=False)``), cropped to
            ``WindowConfig.roi`` and area-averaged by ``downsample`` as ``image`` is binned
            (the same size, pixel for pixel); shared with later results, never mutated.
        aps_t_us: that APS frame's time.
        compare: uint8 HxW the compare model's frame of the same window (``ModelConfig.compare``,
            post-processed as ``image``), or None without one (or for its NaN frame).
        clock: which clock of a live camera its window is on (the source's ``clock_epoch``
            when its events were read: one more at each restart of the camera's clock); 0 for
            a source without one. The viewer times ``--frames-dir`` frames by it.
    """

    index: int
    t_start_us: int
    t_us: int
    n_events: int
    image: np.ndarray
    event_image: np.ndarray | None = None
    sigma: np.ndarray | None = None
    defocus_px: float | None = None
    blur: np.ndarray | None = None
    infer_ms: float = 0.0
    latency_ms: float = 0.0
    aps: np.ndarray | None = None
    aps_t_us: int | None = None
    compare: np.ndarray | None = None
    clock: int = 0


class _Compare(typing.NamedTuple):
    """The compare model (``ModelConfig.compare``): its own recurrent state, runner and fp16."""

    name: str
    model: typing.Any
    runner: InferenceModel
    half: bool
    #: loaded by ``name`` (else an object given: a device or precision change re-prepares it)
    by_name: bool


class _Made(typing.NamedTuple):
    """A window through the model, before the frame post-processors (``Pipeline._model_part``)."""

    window: Window
    image: np.ndarray
    sigma: np.ndarray | None
    defocus_px: float | None
    blur: np.ndarray | None
    event_image: np.ndarray | None
    aps: tuple | None
    infer_ms: float
    backend: str
    filters: list
    #: a reset of the frame post-processors was asked for after the last frame was made: done
    #: before this frame's steps (``_reset_frame_filters``)
    reset_first: bool
    #: the model's first window at this size: its time is the warm-up's, not a window's
    warmup: bool = False
    #: the compare model's frame and the post-processors to run on it (see ``_Compare``)
    compare: np.ndarray | None = None
    compare_filters: tuple | list = ()


@dataclass
class PipelineStats:
    """Live numbers for the UI / logs (read from any thread; plain attributes)."""

    status: str = "idle"
    device: str = "cpu"
    #: inference backend in use (``nn.runtime``; ``eager`` after a fallback) and torch CPU threads
    backend: str = ""
    threads: int = 0
    events_total: int = 0
    frames: int = 0
    infer_ms: float = 0.0
    latency_ms: float = 0.0
    ring_fill: int = 0
    ring_fill_ratio: float = 0.0
    ring_capacity: int = 0
    #: the ring's overflow, what the source dropped and events outside the sensor
    dropped_events: int = 0
    #: events a source gave outside its width x height (in ``dropped_events`` too)
    outside_events: int = 0
    skipped_windows: int = 0
    #: while the model cannot keep up with live or paced input (``BEHIND_POPS`` of the last
    #: ``BEHIND_OF`` ring pops lost windows: skipped to keep up, or events dropped by the full
    #: ring), what is lost and why; else "". The viewer's status bar and a headless run's log say it with
    #: :meth:`Pipeline.faster_settings` (a 1280x720 sensor at 570 ms a window showed one frame
    #: in three and only counted the rest)
    behind: str = ""
    #: passes a looping replay has started over (``SourceConfig.loop``, the viewer's Loop box)
    loops: int = 0
    #: a looping replay's first pass: (events, frames) it read and made, for the viewer's
    #: "only 1 frame" line (by the time it sees ``loops`` the reader is into the next pass)
    first_pass: tuple[int, int] | None = None
    #: a live source's events read and let go while paused (not drops: nobody asked for them)
    paused_events: int = 0
    #: windows dropped for NaN/Inf output, the main model's and the compare model's together
    nan_frames: int = 0
    #: the compare model's part of ``nan_frames`` (a run's "NaN on all k windows" counts the main one's)
    compare_nan_frames: int = 0
    #: frames whose ``start(on_frame=...)`` callback raised (the first logged with its traceback)
    callback_errors: int = 0
    source_errors: int = 0
    reconnects: int = 0
    sensor_t_us: int | None = None
    #: how long the source's current read() has not returned, once that is ``STALL_S`` or
    #: more (a camera stalled or unplugged, a plugin that hangs); 0 while reads return
    stalled_s: float = 0.0
    #: read() calls that stalled (each counted once, when first seen)
    stalls: int = 0
    #: the last fault (source error, NaN output, CUDA OOM); kept when ``status`` moves on
    last_fault: str = ""
    #: while the model runs its first window at a new size (seconds of kernel/oneDNN warm-up
    #: on a CPU: the viewer showed "display fps 0.0" and no word), what it is doing; else ""
    warming_up: str = ""
    #: first windows at a new size run so far, and how long the last one took (headless says it)
    warmups: int = 0
    warmup_s: float = 0.0
    #: the last frame's post-processing time (frame steps, after the model; not in ``infer_ms``)
    post_ms: float = 0.0
    #: the compare model's part of ``infer_ms`` (its voxel grid, if its own, and network); 0 without one
    compare_ms: float = 0.0
    #: post-processing that holds the frame rate back (``SLOW_POST_MS``), said once a chain; else ""
    slow_post: str = ""
    #: event filters slower than real time (``SLOW_POST_MS``, see there), said once a chain; else ""
    slow_event_filters: str = ""
    _ev_rate: RateMeter = field(default_factory=RateMeter, repr=False)
    _fr_rate: RateMeter = field(default_factory=RateMeter, repr=False)

    @property
    def events_per_s(self) -> float:
        return self._ev_rate.rate()

    @property
    def fps(self) -> float:
        return self._fr_rate.rate()

    @property
    def dropped(self) -> int:
        return self.dropped_events

    def as_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if not f.name.startswith("_")}
        d["events_per_s"] = self.events_per_s
        d["fps"] = self.fps
        return d


def _ms(value_ms: float) -> str:
    """A time in ms as said: a tenth under 10 ms (a sum and its parts rounded apart disagreed)."""
    return f"{value_ms:.1f} ms" if value_ms < 10 else f"{value_ms:.0f} ms"


def events_span_ms(t_us: np.ndarray) -> float:
    """The event time a batch spans, in ms, for the slow-event-filter check: max - min (the last
    minus the first was negative for an unsorted batch, so any filter over ``SLOW_POST_MS`` was
    "slower than real time"), summed over the runs between steps back over ``RESTART_BACK_US``
    (a clock restart or a replay starting over inside the batch: max - min over both was the
    whole recording, so no filter was ever slow)."""
    if len(t_us) < 2:
        return 0.0
    t = t_us.astype(np.int64, copy=False)
    back = np.flatnonzero(t[1:] < t[:-1] - RESTART_BACK_US) + 1
    runs = np.split(t, back) if len(back) else (t,)
    return sum(int(r.max()) - int(r.min()) for r in runs) / 1e3


def aps_times_in_range(times_us: np.ndarray, range_us: tuple[int, int] | None, start_s: float | None,
                       end_s: float | None) -> np.ndarray:
    """The APS frame times inside ``start_s``..``end_s`` (seconds from the recording's first
    event, as ``SourceConfig`` gives them): ``--at aps --start-s/--end-s`` made a frame at
    every APS frame of the file, those outside the range with no events."""
    if range_us is None or (not start_s and end_s is None):
        return times_us
    keep = np.ones(len(times_us), dtype=bool)
    if start_s:
        keep &= times_us >= range_us[0] + int(round(start_s * 1e6))
    if end_s is not None:
        keep &= times_us <= range_us[0] + int(round(end_s * 1e6))
    return times_us[keep]


def refuse_times_on_two_clocks(source) -> None:
    """``--start-s``/``--end-s`` on a file whose sensor clock was reset: one line (an InputError)
    naming the reset and what to do. Seconds "after the first event" name no single place
    there: the two clocks share one time line (a time may be on both, or on neither), and
    taken from the earliest time (the second clock's) a start before the reset played the
    whole file and the length said was the first clock's last time minus the second's first.
    Refused rather than guessed; a reader without clocks (every format but RAW and AEDAT4) passes.
    A RAW file splits at the reset's byte; an AEDAT4 one (packets, an index) does not."""
    clocks = getattr(source, "clocks", None)
    spans = clocks() if callable(clocks) else None
    if not spans or len(spans) < 2:
        return
    name = str(getattr(source, "path", "") or "the input")
    byte, t_new_us = spans[1][0], spans[1][1]
    each = ", ".join(f"{a / 1e6:.3f}-{b / 1e6:.3f} s" for _, a, b in spans)
    split = (f"split it at byte {byte} into one file per clock (the second with a copy of the header)"
             if str(getattr(source, "format", "")).startswith("evt") else
             "write each clock's events to a file of its own")
    raise InputError(f"{name}: --start-s/--end-s cannot be used: its sensor clock was reset at byte {byte} "
                     f"(from {spans[0][2] / 1e6:.3f} s back to {t_new_us / 1e6:.3f} s; {len(spans)} clocks: {each}), "
                     f"so a time from the first event names no one place; reconstruct it whole, or {split} and "
                     f"give each its times")


def _range_text(start_s: float | None, end_s: float | None) -> str:
    return f"{start_s or 0:g} s to " + ("the end" if end_s is None else f"{end_s:g} s")


def _frame_t(frame: tuple[int, np.ndarray]) -> int:
    return frame[0]


def source_aps_times(source) -> np.ndarray | None:
    """The times of the APS frames ``source.aps_frames()`` gives, read without their pixels
    where the source can (``aps_times_us``: an AEDAT4 file, the same frames, the same
    ``MAX_APS_BYTES`` cut); None where it cannot (the caller reads the frames)."""
    fn = getattr(source, "aps_times_us", None)
    if fn is None:
        return None
    return np.asarray(fn(), dtype=np.int64)


class SourceWarnings(logging.Handler):
    """Warnings the readers (``evfocus_live.sources``) log on the thread that made this handler,
    passed on to ``tell``, until :meth:`close` (or the end of a ``with``). A RAW file's clock
    reset or damaged tail, a truncated file read up to the damage, were only in the log, which
    a viewer's user does not see.

    The viewer's status bar hears from the readers and the slicer by three routes, one handler
    class for the two that are log records:

    - a file's open (the viewer's GUI thread, ``MainWindow.open_source``): this handler there;
      no pipeline exists yet, and the lines are shown only once the source runs;
    - the pipeline's reader thread (``Pipeline._reader_loop``): this handler, to
      :attr:`Pipeline.on_warning`;
    - the slicer's late events and clock restarts (the worker thread, ``on_late`` and
      ``on_restart`` of the slicers in ``core.slicing``): callbacks, to :attr:`Pipeline.on_warning`
      too. Not a handler: the slicer says late events once, when they matter, a restart is said
      once (:meth:`Pipeline._clock_restart`: not where a reader said it), and a handler on the
      worker thread would pass on every warning logged there (the filters'), not only the ones
      meant for the user.
    """

    def __init__(self, tell: Callable[[str], None]):
        super().__init__(logging.WARNING)
        self._tell = tell
        self._thread = threading.get_ident()
        self._logger = logging.getLogger("evfocus_live.sources")
        self._logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self._thread:
            self._tell(record.getMessage())

    def close(self) -> None:
        self._logger.removeHandler(self)
        super().close()

    def __enter__(self) -> SourceWarnings:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def pace_edges(t_us: np.ndarray, chunk_us: int, max_restarts: int = RESTARTS_CLOSE_MAX) -> np.ndarray:
    """Where a replay batch is cut to be paced in ``chunk_us`` steps of sensor time: at each
    step of the time reached so far (its running maximum), and at a clock restart (a step
    back over RESTART_BACK_US: the parts after it are paced on the new clock). Cut on the
    times themselves, shuffled rows gave a part per event (200 k paced pushes for a 200 k-event
    batch: a replay at a crawl); past ``max_restarts`` in one batch the order is broken, not a
    clock (the slicer's rule too), and the rest is cut on the running maximum alone."""
    t = np.asarray(t_us, dtype=np.int64)
    out, start, restarts = [], 0, 0
    while start < len(t):
        reached = np.maximum.accumulate(t[start:])
        back = np.flatnonzero(t[start + 1:] < reached[:-1] - RESTART_BACK_US) if restarts < max_restarts else []
        end = start + 1 + int(back[0]) if len(back) else len(t)
        chunk = (reached[:end - start] - t[start]) // chunk_us
        out.extend(start + np.flatnonzero(np.diff(chunk)) + 1)
        if end < len(t):
            out.append(end)
            restarts += 1
        start = end
    return np.asarray(out, dtype=np.int64)


def _check_config_arg(who: str, name: str, value, cls: type, none_ok: bool = True) -> None:
    """One :class:`ConfigError` line for a config argument of the wrong kind: a dict or a mode
    name for ``window`` was an AttributeError deep in the setup ('dict' object has no
    attribute 'roi')."""
    if (value is None and not none_ok) or (value is not None and not isinstance(value, cls)):
        raise ConfigError(f"{who}'s {name} must be a {cls.__name__}{' or None' if none_ok else ''}, got {value!r}"
                          + (f" (write {cls.__name__}(**...))" if isinstance(value, dict) else ""))


def _check_arg_types(window, post, ring_capacity, max_backlog_windows) -> None:
    """``Pipeline``'s arguments of the wrong kind: one ConfigError line (a bad ring size was
    numpy's or int()'s ValueError)."""
    _check_config_arg("Pipeline", "window", window, WindowConfig)
    _check_config_arg("Pipeline", "post", post, PostConfig)
    for name, value in (("ring_capacity", ring_capacity), ("max_backlog_windows", max_backlog_windows)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1):
            raise ConfigError(f"Pipeline's {name} must be a whole number >= 1, got {value!r}")


#: pipelines whose threads were started (see :func:`close_all`)
_STARTED: weakref.WeakSet = weakref.WeakSet()
_STARTED_LOCK = threading.Lock()  # (a pipeline started while close_all lists them: "Set changed size")


@atexit.register
def close_all() -> None:
    """Close every pipeline that was started and is still alive: its threads stopped, a source
    it opened closed. Run at interpreter exit: a script that started one and ended without
    ``stop()`` (or raised) aborted Python, the daemon worker frozen inside torch during
    finalisation ("terminate called without an active exception", exit 134, a core dump).
    In an interactive session, a pipeline whose name was bound to a new one runs on (its
    threads hold it): this stops it too."""
    with _STARTED_LOCK:
        pipes = list(_STARTED)
    for pipe in pipes:
        try:
            pipe.close()
        except Exception:
            log.debug("closing a pipeline raised", exc_info=True)
    _wait_for_busy_workers(pipes)


#: how long exit waits for a worker still inside the model's window (see close_all)
EXIT_MODEL_WAIT_S = 120.0


def _wait_for_busy_workers(pipes: list, limit_s: float = EXIT_MODEL_WAIT_S) -> None:
    """At exit, wait for a worker that stop() left inside the model's window (a window slower
    than stop()'s 5 s: a big model on a CPU): the interpreter finalised around it and aborted
    (a core dump). Said once; bounded, so a model that never returns cannot hang Python."""
    # (the worker in the model only: a reader in a hung read() or a callback waiting for what
    # never comes would hold the exit for the whole limit; the daemon threads die with Python)
    busy = [(pipe, t) for pipe in pipes for t in getattr(pipe, "_threads", ()) if t.is_alive()
            and t.name == "evfocus-worker" and not getattr(pipe, "_in_callback", False)
            and t is not threading.current_thread()]
    if not busy:
        return
    log.warning("exit waits up to %.0f s for the model to finish its window (ending Python "
                "inside it aborts with a core dump)", limit_s)
    deadline = time.monotonic() + limit_s
    try:
        for pipe, t in busy:
            # (until the window is done: its frame then goes to on_frame, which may wait for what
            # never comes, a full queue whose reader has ended: that held the exit the whole limit)
            while t.is_alive() and not getattr(pipe, "_in_callback", False) and time.monotonic() < deadline:
                t.join(min(0.05, max(0.0, deadline - time.monotonic())))
    except KeyboardInterrupt:  # (a second Ctrl-C: Python's "Exception ignored in atexit callback" traceback)
        log.warning("exit no longer waits for the model (Ctrl-C): Python may abort")
        return
    if any(t.is_alive() and not getattr(pipe, "_in_callback", False) for pipe, t in busy):
        log.warning("the model has not finished its window within %.0f s: Python may abort at exit", limit_s)


class Pipeline:
    """Event source to reconstructed frames, headless.

    Parameters:
        source: an open :class:`EventSource` (not closed by the pipeline), a
            :class:`SourceConfig`, a path / camera name, or a zero-argument factory
            returning a source (also used to reconnect live sources).
        window: how to cut the stream (:class:`WindowConfig`).
        model: :class:`ModelConfig`, a model name/path, or a model object following
            the contract (``reset_states()``, ``forward(voxel) -> {'image': ...}``).
        post: post-processing steps (:class:`PostConfig`).
        model_obj: an already built model (overrides ``model``'s name; its device and
            fp16 settings still apply).
        compare_obj: the already built compare model of ``ModelConfig.compare`` (one run's
            several inputs load it once; its state is reset here).
        timestamps_us: frame times for window mode "timestamps".
        speed: file replay speed in threaded mode (default: ``SourceConfig.speed`` or 1).
        ring_capacity: ring buffer size in events (default ``DEFAULT_RING_EVENTS`` = 4 M, 52 MB,
            ~0.3 s of a busy 1280x720 sensor; at least 4 windows, up to 16 M).
        render_events: build ``FrameResult.event_image``.
        aps: attach the source's APS frame to each result (``FrameResult.aps``: looked up in
            the frames the source holds in memory, see ``EventSource.aps_frames``).
        reconnect: try to reopen a failing live source (back-off up to 2 s).

    Example::

        pipe = Pipeline("rec.aedat4", WindowConfig(mode="duration", window_ms=33),
                        ModelConfig(name="evfocus", device="auto"))
        for fr in pipe.frames():
            save(fr.image)
    """

    def __init__(self, source, window: WindowConfig | None = None, model=None, post: PostConfig | None = None,
                 *, model_obj=None, compare_obj=None, timestamps_us=None, speed: float | None = None,
                 ring_capacity: int | None = None, render_events: bool = True, reconnect: bool = True,
                 max_backlog_windows: int = 1, aps: bool = True, cpu_warned: str | None = None):
        _check_arg_types(window, post, ring_capacity, max_backlog_windows)
        #: the model whose slow-on-a-CPU warning was said already (``cpu_warned``: by the viewer's
        #: pipeline before this one): said again only for another model choice (a viewer said it at
        #: every source switch and precision change, ~20 times in 3 minutes); None when none applies
        self.cpu_warned = cpu_warned
        #: ``cpu_warning`` was said (logged) by this model's preparation, not one before
        self.cpu_warning_new = False
        self.window_cfg = window or WindowConfig()
        self.aps = bool(aps)
        self._aps_warned = False
        self._aps_size_warned = False
        #: ((APS time, frame id, roi, downsample), that frame cropped and binned): one at a time
        self._aps_view: tuple[tuple, tuple[int, np.ndarray]] | None = None
        self.post_cfg = post if post is not None else PostConfig()
        self.timestamps_us = timestamps_us
        self.render_events = render_events
        #: the colours of ``FrameResult.event_image`` (a ``core.render.PALETTE_CHOICES`` name)
        self.event_palette = "dark"
        self.reconnect = reconnect
        self.max_backlog_windows = max(1, int(max_backlog_windows))
        #: called (from the worker or the reader thread) with a warning about the stream that the
        #: user should see where they look, not only in the log: the slicer's late events (a
        #: camera clock gone wrong) said while streaming and its clock restarts, and the readers'
        #: warnings logged on the reader thread (a RAW file's clock reset or damaged tail). The
        #: viewer queues it for its status bar. The routes there: see :class:`SourceWarnings`.
        self.on_warning: Callable[[str], None] | None = None
        #: the slicer's clock restarts (see :meth:`_clock_restart`): at most one line every 10 s,
        #: and a file's each once (its first time on the new clock, once said), not again on each
        #: pass of a loop
        self._restart_log = RateLimitedLogger(log, 10.0)
        self._restarts_said: set[int] = set()
        #: a live source's read() faults before a reconnect, per kind (the exception's type and its line, numbers aside): at
        #: most once a minute, the rest counted (a camera that fails at each read after a reopen
        #: said 20 warnings a second, each reconnect one more)
        self._fault_log = RateLimitedLogger(log, SOURCE_FAULT_SAY_EVERY_S)
        self._fault_said = True  # the fault before this reconnect was said (so is the reconnect)
        self.stats = PipelineStats()
        self._lock = threading.RLock()
        #: held while the frame post-processors run or are reset. The worker runs them outside
        #: ``_lock`` (a command waits for the model's part of a window, not for a slow plugin's
        #: step: unticking a 3 s post-processor froze the viewer for up to 3 s); commands take it
        #: after ``_lock`` and never wait for it
        self._post_lock = threading.Lock()
        #: a reset of the frame post-processors asked for while a frame made before it was on its
        #: way to them: done before the first frame made after it (see ``_reset_frame_filters``)
        self._post_reset_due = False
        #: a frame made by the model (``_model_part``) has not been through its post part yet
        self._made_pending = False
        #: commands waiting for the lock: the worker lets them in before its next window (a
        #: lock is not fair, and at speed 0 one ring pop holds dozens of windows)
        self._commands_waiting = 0
        self._gen = 0
        self._index = 0
        self._nan_warned = False
        self._compare_nan_warned = False
        #: frames (post) and batches (events) running whose chain was slow (see _slowest_step)
        self._slow_runs = {"post": 0, "events": 0}
        self._arrivals: collections.deque[tuple[int, float]] = collections.deque(maxlen=1024)
        #: the keep-up watch (``_see_keep_up``): pops running that lost windows, pops running that
        #: did not, the windows (made, skipped) and ring drops of the losing run, the ring's
        #: dropped count last seen
        self._pops: collections.deque[tuple[int, int, int]] = collections.deque(maxlen=BEHIND_OF)
        self._keeping_run = 0
        self._keeping_s = 0.0  # the input's seconds that clean run spans (``KEEP_UP_AGAIN_S``)
        self._rejudge_req = False  # a new replay speed: judged afresh at the next pop (``set_speed``)
        #: ``stats.infer_ms`` is a window's time, not the first window's warm-up (``_see_keep_up``)
        self._timed_after_warmup = False
        #: a window's span (ms of wall time) in a pop that lost windows while the model's time was
        #: its warm-up's: judged once a window is timed (``_keep_up``); None when none waits
        self._warmup_loss_ms: float | None = None
        self._ring_dropped_seen = 0
        #: the stall watchdog (``_check_stall``, run by the worker between ring polls): when the
        #: source's read() in progress began, the last one's (start, end), the stall said
        self._read_since: float | None = None
        self._read_last: tuple[float, float] = (0.0, 0.0)
        #: the last ``LIVE_READS_KEPT`` reads' seconds, stalls aside: how long a stop waits for one
        self._read_took_s: collections.deque[float] = collections.deque(maxlen=LIVE_READS_KEPT)
        #: (monotonic s) since when a reconnect has been opening the source again, in its factory
        self._reopen_since: float | None = None
        self._stall_since: float | None = None
        self.bounds: SensorBounds | None = None  # (made for the source by _setup_for_source)
        #: the compare model (``ModelConfig.compare``) and its own frame post-processors: the same
        #: steps as the main frame's, their own history; None and [] without one
        self.compare: _Compare | None = None
        self.compare_filters: list = []
        #: the source's own sensor (``_wh`` is what the slicer, model and outputs see: smaller
        #: with ``WindowConfig.roi`` and ``WindowConfig.downsample``)
        self._source_wh: tuple[int, int] = (0, 0)
        self._stop_evt = threading.Event()
        self._paused = threading.Event()
        self._seek_req: int | None = None
        self._threads: list[threading.Thread] = []
        self._eof = threading.Event()
        #: the worker has stopped: every event read before the end (or a fault) is processed
        self._drained = threading.Event()
        #: looping: the reader asks the worker to flush the recording's last window before
        #: it seeks back (``_tail_req``) and waits for it (``_tail_done``)
        self._tail_req = threading.Event()
        self._tail_done = threading.Event()
        self._on_frame: Callable[[FrameResult], None] | None = None
        self._callback_said = False  # (see _callback_failed)
        self._in_callback = False  # the worker is inside on_frame (see stop)
        self._callback_log = RateLimitedLogger(log, 10.0)
        #: what a stop interrupted, for the next start(): the reader's batch not yet in the
        #: ring, and the worker's windows not yet shown (with the generation they belong to)
        self._unread: np.ndarray | None = None
        self._carry: tuple[int, list[Window]] | None = None
        #: the clock number (``FrameResult.clock``) of the last batch read, and of the events in
        #: the slicer: the reader's, carried by the ring to the worker
        self._read_clock = 0
        self._slicer_clock = 0
        self._eof_at_end = False
        #: the damage a looping replay last logged it goes on past (``_loop_past_damage``)
        self._damage_said: str | None = None
        #: the last read() failure's line, and the one a looping replay goes on past (counted once)
        self._read_error: str | None = None
        self._damage_looped: str | None = None
        #: the newest event time read from the source since the last seek (up to ``--end-s``):
        #: where the recording's last, partial window ends (``_end_tail``)
        self._t_read_us: int | None = None
        self._anchor: tuple[int, float] | None = None
        #: gaps in a paced replay said shortened (``_say_gap``): their event times
        self._gaps_said: set[int] = set()
        #: the first event time of the last part ``_pace`` saw (a step back from it: a clock restart)
        self._paced_us: int | None = None
        self._paced_end_us: int | None = None  # and its last (where a pause in the recording begins)
        #: the sensor time the last seek went to, until ``_pace`` starts the clock there: a seek
        #: into a pause in the recording plays the rest of it (the clock started at the next event
        #: and skipped it)
        self._sought_us: int | None = None
        #: the pause in the recording a paced replay plays now (None when none): see PlayedGap
        self.played_gap: PlayedGap | None = None
        #: set: a file is read as fast as the worker takes it, whatever ``speed`` says, and no
        #: further ahead than the slice it works on: a paused viewer's one frame (a setting
        #: remade, a seek) shows at once, and the replay is still where it was (the viewer's
        #: session sets it and clears it when that frame has come, or on play or pause)
        self.unpaced = threading.Event()
        #: ``ring.pushes`` the worker has turned into windows (and frames) so far; the worker
        #: notifies ``_pushes_done_cv`` as it grows (an unpaced reader waits on it: it polled
        #: every millisecond, per 5 ms slice), stop() and seek() to end that wait at once
        self._pushes_done = 0
        self._pushes_done_cv = threading.Condition()
        self.latest: FrameResult | None = None

        # --- source -----------------------------------------------------------
        self.source_cfg = source if isinstance(source, SourceConfig) else None
        self._factory: Callable[[], EventSource] | None = None
        self._own_source = False
        if isinstance(source, EventSource):
            source.check_open()
            src = source
        elif isinstance(source, SourceConfig | str | os.PathLike):
            from .sources import open_source

            spec = source.spec if isinstance(source, SourceConfig) else source
            self._factory = lambda: open_source(spec)
            src = self._factory()
            self._own_source = True
        elif callable(source):
            self._factory = source
            src = source()
            self._own_source = True
        else:
            raise InputError(f"not an event source: {describe(source)} (give a path, a camera name, a SourceConfig "
                             f"or an open source; events in memory: np.savez(path, t=..., x=..., y=..., p=..., width=..., "
                             f"height=...) and give the path)")
        self.source: EventSource = src
        try:
            self._init_rest(model, model_obj, speed, ring_capacity, compare_obj)
        except BaseException:
            if self._own_source:  # do not leak the file we opened
                src.close()
            raise

    def _init_rest(self, model, model_obj, speed, ring_capacity, compare_obj=None) -> None:
        sc = self.source_cfg
        self.speed = float(speed if speed is not None else (sc.speed if sc else 1.0))
        if not self.speed >= 0 or self.speed == float("inf"):  # NaN never paced a batch: no frame, ever
            raise ConfigError("replay speed must be 0 (as fast as possible) or a finite number > 0, "
                              f"got {self.speed!r}")
        self.loop = bool(sc.loop) if sc else False
        self._start_s = sc.start_s if sc else None
        self._end_s = sc.end_s if sc else None
        self._end_us: int | None = None

        # --- model --------------------------------------------------------------
        if isinstance(model, ModelConfig):
            self.model_cfg = model
        elif isinstance(model, str | os.PathLike):
            self.model_cfg = ModelConfig(name=os.fspath(model))
        elif model is None:
            self.model_cfg = ModelConfig()
        else:  # a model object
            self.model_cfg = ModelConfig(name=type(model).__name__)
            model_obj = model
        self.device = resolve_device(self.model_cfg.device)
        self.model = self._prepare_model(model_obj if model_obj is not None else self._load(self.model_cfg.name))
        self.stats.device = str(self.device)
        if self.model_cfg.compare is not None:
            if compare_obj is None:
                compare_obj = self._load_compare(self.model_cfg.compare, self.device)
            self.compare = self._prepare_compare(compare_obj, self.model_cfg)

        self._setup_for_source()
        # 4 windows, up to MAX_RING_EVENTS: a count window of 10^9 events asked the ring for 48 GiB
        # (a MemoryError traceback); a window's events wait in the slicer, not in the ring
        self.ring = EventRingBuffer(ring_capacity or max(DEFAULT_RING_EVENTS,
                                                         min(4 * self._window_events_hint(), MAX_RING_EVENTS)))
        self.stats.ring_capacity = self.ring.capacity
        self._apply_range()
        # compile/load the voxel kernel now, not in the middle of the first live window
        model_voxel(np.zeros(2, EVENT_DTYPE), self.num_bins, 2, 2, count_channel=model_count_channel(self.model),
                    device="cpu")
        self.stats.status = "ready"

    # ------------------------------------------------------------------ setup
    def _load(self, name: str):
        from .nn.registry import load_model

        return load_model(name, str(self.device))

    @staticmethod
    def _load_compare(name: str, device) -> typing.Any:
        """The compare model ``name`` loaded on ``device``; a load error names it as the compare model."""
        from .nn.registry import load_model

        try:
            return load_model(name, str(device))
        except EvFocusError as exc:
            raise type(exc)(f"compare model: {exc}") from None

    def _prepare_compare(self, model, cfg: ModelConfig, by_name: bool = True) -> _Compare:
        """The compare model ready to run beside the main one: on ``self.device``, in ``cfg``'s
        precision and backend (the main model's policy, one device for both), its state reset."""
        name = cfg.compare or type(model).__name__
        if not hasattr(model, "reset_states") or not callable(model):
            raise CheckpointError(f"compare model {name!r}: {type(model).__name__} is not a model "
                                  "(needs reset_states() and forward())")
        precision, half = device_precision(cfg.precision, cfg.half, self.device.type)
        if isinstance(model, torch.nn.Module):
            model = model.to(self.device).eval()
            model = model.half() if half else model.float()
        else:
            half = False
        try:
            model.reset_states()
        except Exception as exc:
            raise CheckpointError(f"compare model {name!r}: reset_states() failed: "
                                  f"{type(exc).__name__}: {first_line(exc, '')}".rstrip(": ")) from exc
        cpu = self.device.type == "cpu"
        try:
            runner = InferenceModel(model, cfg.backend if cpu else "eager", precision=precision)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        return _Compare(name, model, runner, half, by_name)

    def _compare_chain(self, post: PostConfig, width: int, height: int, on: bool | None = None) -> list:
        """The compare frame's post-processors: ``post``'s frame steps, a chain of their own (a
        temporal step's history is per model); [] without a compare model (``on``: whether there
        is one, default: whether one runs now)."""
        if not (self.compare is not None if on is None else on):
            return []
        return build_postprocessors(post.steps, post.options, width=width, height=height)[1]

    def _prepare_model(self, model):
        """Device, precision and the inference runtime (``self.runner``); returns the plain model.

        ``self.model`` stays the object the caller gave (its state is the pipeline's state);
        ``self.runner`` runs it (``nn.runtime``: TorchScript on the CPU, plain elsewhere, with
        a silent fallback to the plain model if an optimisation fails).
        """
        if not hasattr(model, "reset_states") or not callable(model):
            raise CheckpointError(f"{type(model).__name__} is not a model (needs reset_states() and forward())")
        self.cpu_warning, self.cpu_warning_new = None, False
        warned, self.cpu_warned = self.cpu_warned, None
        if isinstance(model, torch.nn.Module):
            n_params = sum(p.numel() for p in model.parameters())
            if self.device.type == "cpu" and n_params > CPU_REALTIME_PARAMS:
                self.cpu_warning = (f"{self.model_cfg.name}: {n_params / 1e6:.1f} M parameters run at 1 to 5 "
                                    "frames per second on a CPU (346x260; the 5 under native bf16); 'evfocus' is "
                                    "the real-time model there")
                self.cpu_warning_new = warned != self.model_cfg.name  # (a precision change: the same choice)
                (log.warning if self.cpu_warning_new else log.debug)("%s", self.cpu_warning)
                self.cpu_warned = self.model_cfg.name
            model = model.to(self.device).eval()
            self.half = device_precision(self.model_cfg.precision, self.model_cfg.half, self.device.type)[1]
            model = model.half() if self.half else model.float()
        else:
            self.half = False
        try:
            model.reset_states()
        except Exception as exc:  # a plugin's: one line, not a traceback (the viewer falls back)
            raise CheckpointError(f"model {self.model_cfg.name!r}: reset_states() failed: "
                                  f"{type(exc).__name__}: {first_line(exc, '')}".rstrip(": ")) from exc
        self.runner = self._make_runner(model)
        return model

    def _make_runner(self, model) -> InferenceModel:
        """The runner for ``model`` on ``self.device``. The backends are the CPU's: on CUDA the
        model runs as it is (``half``: fp16; bf16 autocast where asked, see
        :func:`~evfocus_live.nn.runtime.device_precision`). A backend named there (not ``auto``) is said in one warning, kept in :attr:`backend_warning` for the viewer's status
        bar (the pipeline is built before its ``on_warning`` is set); it was dropped in silence."""
        cfg = self.model_cfg
        cpu = self.device.type == "cpu"
        if cpu:
            self.stats.threads = set_threads(cfg.threads)
        self.backend_warning = None
        precision = device_precision(cfg.precision, cfg.half, self.device.type)[0]
        try:  # (bf16 on a device without it: the runtime's one line says the fallback)
            runner = InferenceModel(model, cfg.backend if cpu else "eager", precision=precision)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        if not cpu and cfg.backend not in ("auto", "eager"):
            self.backend_warning = (f"backend {cfg.backend} not used on {self.device}: those are CPU options; "
                                    f"the GPU runs the plain model ({'fp16' if self.half else runner.precision})")
            log.warning("%s", self.backend_warning)
        self.stats.backend = runner.label
        self._warm_sizes: set[tuple[int, int]] = set()  # a new runner warms up again
        return runner

    @property
    def width(self) -> int:
        """The sensor width the slicer, model, post-processors and frames see (ROI, downsampled)."""
        return self._wh[0]

    @property
    def height(self) -> int:
        """The sensor height the frames have (see :attr:`width`)."""
        return self._wh[1]

    @property
    def what_runs(self) -> str:
        """``running evfocus on cpu in bf16``: the model, device and precision, as the commands
        and the viewer say it. The library says its device and precision choices at DEBUG only
        (``device auto -> cpu``), so a Python user asks here (or logs it) what ``auto`` chose."""
        from .gui.precision import what_runs  # (Qt-free: importing the package loads no Qt)

        return what_runs(self.model_cfg.name, self)

    @property
    def window_events(self) -> int:
        """The events an event-count window holds: its count, or 0.35 per pixel the model sees."""
        return self._window_events_hint()

    @property
    def source_size(self) -> tuple[int, int]:
        """The source's own (width, height): the events before ``WindowConfig.roi`` and ``downsample``."""
        return self._source_wh

    @property
    def roi(self) -> tuple[int, int, int, int] | None:
        """The region of interest (x, y, w, h) in the source's pixels; None: the whole sensor."""
        return self.window_cfg.roi

    @property
    def downsample(self) -> int:
        """``WindowConfig.downsample`` of the running window (1 = off)."""
        return self.window_cfg.downsample

    @property
    def num_bins(self) -> int:
        """The voxel bins the model takes (its config's, else ``WindowConfig.num_bins``)."""
        return model_num_bins(self.model, self.window_cfg.num_bins)

    def backpressure_events(self) -> int:
        """Ring fill above which a file read "as fast as possible" waits for inference.

        Two windows in event mode (at least 10 k), else 500 k events; never over half the
        ring, so that a reader slice of half this limit cannot overflow it.
        """
        if self.window_cfg.mode == "events":
            limit = max(2 * self._window_events_hint(), 10_000)
        else:
            limit = 500_000
        return max(1, min(limit, self.ring.capacity // 2))

    def _hold_back(self) -> bool:
        """Files at speed 0: wait while the ring holds more than ``backpressure_events``
        (read ``unpaced`` at a speed: see :meth:`_hold_back_unpaced`).

        Without it the reader outruns inference, the ring drops the oldest events and the
        replay loses windows. Waits through a pause and through slow inference (a full-width
        model on a CPU can spend a minute on what the worker popped); returns False on stop
        or seek (the caller drops the rest of its batch). If the worker thread has died, it
        stops waiting: the ring then drops, the reader never hangs.
        """
        if self.source.is_live:
            return True
        if self.speed > 0:
            return self._hold_back_unpaced() if self.unpaced.is_set() else True
        limit = self.backpressure_events()
        worker = self._threads[1] if len(self._threads) > 1 else None
        while self.ring.fill > limit:
            if self._stop_evt.is_set() or self._seek_req is not None:
                return False
            if worker is None or (worker.ident is not None and not worker.is_alive()):  # ended (not: not yet started)
                return True
            self._stop_evt.wait(0.005)
        return True

    def _hold_back_unpaced(self) -> bool:
        """Read unpaced (``unpaced``): wait until the worker has made its windows of every
        slice pushed so far (a frame that pauses the replay is out by then), so the reader
        is never more than the slice on hand ahead of it. False on stop or seek."""
        worker = self._threads[1] if len(self._threads) > 1 else None
        with self._pushes_done_cv:
            while self._pushes_done < self.ring.pushes and self.unpaced.is_set():
                if self._stop_evt.is_set() or self._seek_req is not None:
                    return False
                if worker is None or (worker.ident is not None and not worker.is_alive()):
                    return True
                # (the timeout: for what does not notify, the viewer clearing ``unpaced``)
                self._pushes_done_cv.wait(0.02)
        return True

    def _done_up_to(self, taken: int) -> None:
        """The worker has made the windows of ``taken`` ring pushes: tell a waiting unpaced reader."""
        with self._pushes_done_cv:
            self._pushes_done = taken
            self._pushes_done_cv.notify_all()

    def _wake_reader(self) -> None:
        """End an unpaced reader's wait for the worker now (a stop, a seek)."""
        with self._pushes_done_cv:
            self._pushes_done_cv.notify_all()

    def _window_events_hint(self) -> int:
        w, h = self._wh
        return int(self.window_cfg.window_events or (self.window_cfg.events_per_pixel * w * h) or 1)

    def _slicer_done(self) -> bool:
        """Every given time (window mode "timestamps") has its window: reading on only
        discards events (a second of times on an hour's recording read the hour)."""
        return getattr(self.slicer, "remaining", None) == 0

    def _setup_for_source(self, reconnect: bool = False) -> None:
        """(Re)build everything that depends on the sensor size; reset the state. An ROI the
        sensor cannot hold is a ConfigError; on a ``reconnect`` (nobody to tell) a warning and
        the whole sensor."""
        w, h = int(self.source.width), int(self.source.height)
        if w <= 0 or h <= 0:
            raise InputError(f"source {self.source.format!r} reports no sensor size")
        roi = self.window_cfg.roi
        if roi is not None:
            try:
                check_roi_fits(roi, w, h, f"the {self.source.format} source's")
            except ConfigError as exc:
                if not reconnect:
                    raise
                log.warning("%s: running on the whole sensor", exc)
                self.stats.status = f"running (reconnected; {exc}: the whole sensor)"
                self.window_cfg = dataclasses.replace(self.window_cfg, roi=None)
        self._source_wh = (w, h)
        self._restarts_said.clear()  # (another file's times)
        if self.bounds is None:  # (the source's events, at its own size: binning comes later)
            self.bounds = SensorBounds(self.source.format, w, h)
        else:
            self.bounds.renew(self.source.format, w, h)
        self._wh = model_size(w, h, self.window_cfg.roi, self.window_cfg.downsample)
        if self._wh != (w, h):
            log.info("%dx%d sensor, ROI %s, downsample %d: the model sees %dx%d", w, h, self.window_cfg.roi,
                     self.window_cfg.downsample, *self._wh)
        w, h = self._wh
        if self.aps and not self.source.is_live:
            self._source_aps()  # a file reads its frames now, once, not in the first window
        self.slicer = self._watched(make_slicer(self.window_cfg, w, h, self._slicer_times(self.window_cfg)))
        self.event_filters, self.frame_filters = build_postprocessors(
            self.post_cfg.steps, self.post_cfg.options, width=w, height=h)
        self.compare_filters = self._compare_chain(self.post_cfg, w, h)
        self._reset_state_locked()
        self._reset_keep_up()

    def _watched(self, slicer):
        """``slicer`` with its stream warnings passed on to :attr:`on_warning`."""
        if hasattr(slicer, "on_late"):
            slicer.on_late = self._warn_user
        if hasattr(slicer, "on_restart"):
            slicer.on_restart = self._clock_restart
        return slicer

    def _clock_restart(self, text: str, t_us: int) -> None:
        """The slicer's clock restart (a camera reset or re-synchronised, a file with time back at
        ``t_us``): logged and passed to :attr:`on_warning` once per restart (at most one every 10 s:
        a clock jumping to and fro), not per batch; it was only logged (the viewer's user saw the
        time readout jump back, no word why). Not where the reader said it
        already (``warns_clock_resets``: a RAW file's reset, said once by the reader), and a file's
        restart not again on the next pass of a loop (the same time on the new clock). Only one
        that was said counts as said: a restart the 10 s limit held back (two within 10 s) is said
        on a later pass; it was marked all the same, and no pass ever said it."""
        # (with given times -- no start over -- the reader's line does not say the events after it
        # join the window then open: the slicer's does, there)
        said_by_reader = getattr(self.source, "warns_clock_resets", False) and getattr(self.slicer, "restarts", True)
        if said_by_reader or t_us in self._restarts_said:
            log.debug("%s", text)
            return
        if self._restart_log.warning("restart", "%s", text):
            if not self.source.is_live:
                self._restarts_said.add(t_us)
            self._warn_user(text)

    def _warn_user(self, text: str) -> None:
        cb = self.on_warning
        if cb is not None:
            cb(text)

    def _source_aps(self):
        """The source's APS frames (``EventSource.aps_frames``; a duck-typed plugin source
        without the method, or one whose method raises, has none: one warning)."""
        fn = getattr(self.source, "aps_frames", None)
        if fn is None:
            return ()
        try:
            return fn() or ()
        except Exception as exc:
            if not self._aps_warned:
                self._aps_warned = True
                log.warning("%s source: APS frames unavailable (%s: %s)", self.source.format,
                            type(exc).__name__, first_line(exc, "no detail"))
            return ()

    def _slicer_times(self, window: WindowConfig):
        """The frame times a "timestamps" window uses: given ones, else the source's APS frame
        times with ``timestamps_aps`` (InputError when it has none), else None (the file's)."""
        if self.timestamps_us is not None or window.mode != "timestamps" or not window.timestamps_aps:
            return self.timestamps_us
        times = source_aps_times(self.source) if not self.aps else None
        if times is None:  # (frames attached: they are read anyway, take their times)
            times = np.array([t for t, _ in self._source_aps()], dtype=np.int64)
        name = getattr(self.source, "path", None) or f"{self.source.format} source"
        if not len(times):
            raise InputError(f"{name}: has no APS (grey-level) frames to take the frame times from "
                             "(a DAVIS recording with frames has them)")
        if not self.source.is_live and (self._start_s or self._end_s is not None):  # (as _apply_range)
            rng = self.source.time_range_us()
            kept = aps_times_in_range(times, rng, self._start_s, self._end_s)
            if not len(kept):
                raise InputError(f"{name}: none of its {len(times)} APS frames lies between the start and end asked "
                                 f"({_range_text(self._start_s, self._end_s)}; the frames are at "
                                 f"{(times[0] - rng[0]) / 1e6:.6f}..{(times[-1] - rng[0]) / 1e6:.6f} s)")
            times = kept
        return times

    def aps_at(self, t_us: int) -> tuple[int, np.ndarray] | None:
        """The source's last APS frame at or before ``t_us`` (from memory; None if none)."""
        frames = self._source_aps()
        k = bisect.bisect_right(frames, t_us, key=_frame_t) if len(frames) else 0
        return frames[k - 1] if k else None

    def aps_view_at(self, t_us: int) -> tuple[int, np.ndarray] | None:
        """:meth:`aps_at` as the frames show the sensor: cropped to ``WindowConfig.roi`` and
        area-averaged by ``downsample`` (``core.render.crop_and_bin``), so it matches
        ``FrameResult.image`` pixel for pixel. Made once per APS frame (~25 a second against
        hundreds of windows); safe from any thread (one tuple swapped whole)."""
        hit = self.aps_at(t_us)
        if hit is not None and hit[1].shape[:2] != self._source_wh[::-1] and not self._aps_size_warned:
            self._aps_size_warned = True  # (DV's APS region of interest: where it sits is not read)
            log.warning("%s source: its APS frames are %dx%d, its events %dx%d: the APS frame shown "
                        "and saved does not line up with the reconstruction", self.source.format,
                        hit[1].shape[1], hit[1].shape[0], *self._source_wh)
        roi, n = self.window_cfg.roi, self.window_cfg.downsample
        if hit is None or (roi is None and n == 1):
            return hit
        key = (hit[0], id(hit[1]), roi, n)
        cached = self._aps_view
        if cached is None or cached[0] != key:
            cached = (key, (hit[0], crop_and_bin(hit[1], roi, n)))
            self._aps_view = cached
        return cached[1]

    def _apply_range(self) -> None:
        """Seek to ``start_s`` and note ``end_s`` (seconds from the recording's start)."""
        self._end_us = None
        if self._start_s is None and self._end_s is None:
            return
        rng = None if self.source.is_live else self.source.time_range_us()
        if rng is None:
            raise InputError("--start-s/--end-s need a recording (a file), not a live source")
        if self._start_s or self._end_s is not None:  # (--start-s 0 alone: the whole file, as without)
            refuse_times_on_two_clocks(self.source)
        t0 = rng[0]
        if self._end_s is not None:
            self._end_us = t0 + int(round(self._end_s * 1e6))
        if self._start_s:
            start = t0 + int(round(self._start_s * 1e6))
            if start > rng[1]:
                raise InputError(f"start {self._start_s:g} s is after the end of the recording "
                                 f"({(rng[1] - t0) / 1e6:.3f} s)")
            self.source.seek(start)
            if isinstance(self.slicer, (DurationSlicer, AdaptiveSlicer)):  # (frames at the start plus whole windows)
                self.slicer.reset(start, grid=True)

    def _reset_state_locked(self) -> None:
        self._reset_models()
        reset_filters(self.event_filters)
        self._reset_frame_filters()
        self.slicer.reset()

    def _reset_models(self) -> None:
        """Forget both models' recurrent states (the main one's and the compare model's): together,
        so that the two panes start from the same window."""
        if hasattr(self.model, "reset_states"):
            self.model.reset_states()
        if self.compare is not None:
            self.compare.model.reset_states()

    def _reset_frame_filters(self) -> None:
        """Reset the frame post-processors now or, while a frame made before the reset is on its
        way to them or in a slow plugin's step, before the first frame made after it: a seek or
        a reset waited for that step, the viewer frozen; done at once, a temporal filter's
        history began with the frame of the old state. Called under ``_lock``."""
        if not self._made_pending and self._post_lock.acquire(blocking=False):
            try:
                self._post_reset_due = False
                reset_filters(self.frame_filters)
                reset_filters(self.compare_filters)
            finally:
                self._post_lock.release()
        else:
            self._post_reset_due = True

    # ---------------------------------------------------------- commands (any thread)
    @contextlib.contextmanager
    def _command(self):
        """The lock for a command: served within one window of the worker's."""
        self._commands_waiting += 1
        try:
            with self._lock:
                yield
        finally:
            self._commands_waiting -= 1

    def reset_state(self) -> None:
        """Forget the recurrent state and post-processor history (keeps the position)."""
        with self._command():
            self._reset_models()
            reset_filters(self.event_filters)
            self._reset_frame_filters()

    def seek(self, t_us: int) -> None:
        """Continue from sensor time ``t_us`` (files); resets the state."""
        self._check_source_open()  # (a closed file's reader raised an AttributeError)
        if self.source.is_live:
            raise InputError("cannot seek in a live source")
        reader = self._threads[0] if self._threads else None
        if (reader is not None and reader.is_alive() and reader is not threading.current_thread()
                and not self._stop_evt.is_set()):  # (a stopping reader would never do it)
            self._seek_req = int(t_us)  # the reader thread owns the source: it seeks between reads
            self._wake_reader()
            return
        if self._threads_alive() and threading.current_thread() not in self._threads:
            # the reader has ended (end of file) and the worker is finishing the ring, which
            # the seek discards: stop it, so that start() runs both threads from there again
            self.stop()
        self._do_seek(int(t_us))

    def _do_seek(self, t_us: int) -> None:
        with self._command():
            self.source.seek(t_us)
            self.ring.clear()
            self._unread = None
            self._t_read_us = None
            self._gen += 1
            self._reset_state_locked()
            self.slicer.reset(t_us)
            self._arrivals.clear()
            self._eof.clear()
            self._anchor = None
            self._sought_us = t_us
            self.stats.sensor_t_us = t_us
            self.stats.status = "running" if self._threads_alive() else "ready"

    def set_window(self, window: WindowConfig, timestamps_us=None) -> None:
        """New windowing; the network state is reset (the window statistics change).
        A window that cannot be made (no timestamps file, an ROI outside the sensor) changes
        nothing. A new ``downsample`` or ``roi`` resizes the slicer and post-processors too (the
        ring holds the source's events: cropping and binning are the worker's, under the lock,
        so no event is cut by the old ROI or binned by the old factor)."""
        _check_config_arg("set_window", "window", window, WindowConfig, none_ok=False)
        ts = timestamps_us if timestamps_us is not None else self.timestamps_us
        if window.roi is not None:
            check_roi_fits(window.roi, *self._source_wh, f"the {self.source.format} source's")
        wh = model_size(*self._source_wh, window.roi, window.downsample)
        slicer = self._watched(make_slicer(window, *wh, ts if ts is not None else self._slicer_times(window)))
        post = None
        if wh != self._wh:
            post = build_postprocessors(self.post_cfg.steps, self.post_cfg.options, width=wh[0], height=wh[1])
            post = (*post, self._compare_chain(self.post_cfg, *wh))
        with self._command():
            # where the stream is: the newest event the old slicer took (none since a seek: the seek's time)
            pos = getattr(self.slicer, "t_last_us", None)
            pos = pos if pos is not None else self.stats.sensor_t_us
            if hasattr(slicer, "carry_late"):  # (late events said once a run, not once a window change)
                slicer.carry_late(self.slicer)
            self.window_cfg, self.timestamps_us, self.slicer = window, ts, slicer
            if post is not None:
                self._wh = wh
                self.event_filters, self.frame_filters, self.compare_filters = post
                log.info("ROI %s, downsample %d: the model sees %dx%d", window.roi, window.downsample, *wh)
            self._gen += 1
            self._reset_state_locked()
            self._reset_keep_up()
            if isinstance(slicer, TimestampSlicer) and pos is not None:
                # the given (or APS) times from there on: from the first, a switch mid-recording made
                # a frame, with no event, at every earlier time, back in time from the last frame
                slicer.reset(int(pos))

    def set_model(self, model, device: str | None = None, config: ModelConfig | None = None) -> None:
        """Switch model (name, path or object) and optionally device; resets the state.
        ``config``: the model settings to run it with (precision, threads, backend; its name and
        device give way to ``model`` and ``device``); default: the current ones."""
        cfg = self.model_cfg if config is None else config
        if device is not None:
            cfg = dataclasses.replace(cfg, device=device)
        new_device = resolve_device(cfg.device)
        if isinstance(model, str | os.PathLike):
            from .nn.registry import load_model

            obj = load_model(os.fspath(model), str(new_device))
            cfg = dataclasses.replace(cfg, name=os.fspath(model))
        else:
            obj = model
        # the compare model goes with it, onto the new device in the new precision: loaded again by
        # name (fp16 weights are not turned back into fp32), an object given re-prepared
        cmp, cmp_obj, by_name = self.compare, None, True
        if cfg.compare is not None and cmp is not None and not cmp.by_name and cmp.name == cfg.compare:
            cmp_obj, by_name = cmp.model, False
        elif cfg.compare is not None:
            cmp_obj = self._load_compare(cfg.compare, new_device)
        cmp_filters = self._compare_chain(self.post_cfg, self.width, self.height, on=cmp_obj is not None)
        with self._command():
            # a model that cannot be prepared (moving it to the GPU runs out of memory, a plugin's
            # reset_states raises) keeps the current one running, on its own device
            old = (self.model_cfg, self.device, self.half, self.runner, self.cpu_warning, self.cpu_warning_new,
                   self.cpu_warned, self.backend_warning, self.stats.device, self.stats.backend, self.stats.threads)
            self.model_cfg = cfg
            self.device = new_device
            self.stats.device = str(new_device)
            try:
                compare = None if cmp_obj is None else self._prepare_compare(cmp_obj, cfg, by_name)
                self.model = self._prepare_model(obj)
            except BaseException:
                (self.model_cfg, self.device, self.half, self.runner, self.cpu_warning, self.cpu_warning_new,
                 self.cpu_warned, self.backend_warning,
                 self.stats.device, self.stats.backend, self.stats.threads) = old
                raise
            self.compare, self.compare_filters = compare, cmp_filters
            self.stats.compare_ms = 0.0  # (a model gone, or not timed yet)
            self._gen += 1
            self._reset_state_locked()
            self._reset_keep_up()

    def set_compare(self, model) -> None:
        """Run a second model beside the main one on the same windows (a name or checkpoint path,
        or a model object; None or "none": no second model), on this pipeline's device in its
        precision (``ModelConfig.compare``); both models' states are reset. A model that cannot
        load or be prepared changes nothing."""
        by_name = model is None or isinstance(model, str | os.PathLike)
        name = (os.fspath(model) if model is not None else None) if by_name else type(model).__name__
        cfg = dataclasses.replace(self.model_cfg, compare=name)  # ("none" is None)
        obj = None
        if cfg.compare is not None:
            obj = self._load_compare(cfg.compare, self.device) if by_name else model
        chain = self._compare_chain(self.post_cfg, self.width, self.height, on=obj is not None)
        with self._command():
            compare = None if obj is None else self._prepare_compare(obj, cfg, by_name)
            self.model_cfg, self.compare, self.compare_filters = cfg, compare, chain
            self.stats.compare_ms = 0.0  # (a model gone, or not timed yet)
            self._gen += 1
            self._reset_state_locked()
            self._reset_keep_up()

    def set_post(self, post: PostConfig) -> None:
        """Replace the post-processing chain (a frame the old one is making is still shown: the
        swap does not wait for it)."""
        _check_config_arg("set_post", "post", post, PostConfig, none_ok=False)
        ev, fr = build_postprocessors(post.steps, post.options, width=self.width, height=self.height)
        cmp = self._compare_chain(post, self.width, self.height)
        with self._command():
            self.post_cfg = post
            self.event_filters, self.frame_filters, self.compare_filters = ev, fr, cmp
            self._slow_runs = {"post": 0, "events": 0}  # (a new chain is judged afresh)
            self.stats.slow_post = self.stats.slow_event_filters = ""

    def set_source(self, source: EventSource) -> None:
        """Switch to another (open) source; everything is rebuilt and reset."""
        if self._threads_alive():
            raise EvFocusError("stop the pipeline before changing the source")
        with self._lock:
            if self._own_source:
                self.source.close()
            self.source, self._own_source, self._factory = source, False, None
            self._start_s = self._end_s = self._end_us = None
            self._setup_for_source()
            self.ring.clear()
            self._unread = self._t_read_us = None
            self._arrivals.clear()
            self._gen += 1

    def pause(self) -> None:
        """Hold the threaded run (:meth:`resume` plays on); a camera's events meanwhile are let go."""
        self._paused.set()
        if self._threads_alive():  # a finished or failed run keeps saying so
            self.stats.status = "paused"

    def resume(self) -> None:
        """Play on. A camera's windows start afresh at its next event: the pause's time (its
        events let go) is no gap in the input, and its empty windows, made by a model that keeps
        up (up to the slicer's ``max_empty_windows``), came before the frames of now."""
        self._anchor = None
        if self.source.is_live and self._paused.is_set():
            with self._command():
                self.slicer.reset()
        self._paused.clear()
        if self._threads_alive():  # a finished run keeps saying so (start() says "running")
            self.stats.status = "running"

    @property
    def paused(self) -> bool:
        """True between :meth:`pause` and :meth:`resume`."""
        return self._paused.is_set()

    @property
    def seek_pending(self) -> bool:
        """A seek was asked for and the reader has not done it yet."""
        return self._seek_req is not None

    # ------------------------------------------------------------ source reading
    def _read(self, record_arrival: bool = True) -> np.ndarray | None:
        """Next batch; handles source faults (state reset, reconnect for live sources)."""
        try:
            batch = self._source_read()
        except Exception as exc:
            msg = first_line(exc)
            if msg != self._damage_looped:  # (a looping replay meets its file's damage at each pass: counted once)
                self.stats.source_errors += 1
            self._read_error = msg
            self.stats.status = self.stats.last_fault = f"source error: {msg}"
            if self.source.is_live and self.reconnect:
                # (its type and line, numbers aside: the shipped cameras raise every fault as a
                # DeviceError, and a new one went unsaid for a minute behind the last)
                kind = type(exc.__cause__ if isinstance(exc, InputError) and exc.__cause__ else exc).__name__
                kind = f"{kind}: {re.sub(r'[0-9]+', '#', msg)}"
                self._fault_said = self._fault_log.warning(
                    kind, "source error: %s (reconnecting; the same fault again is said at most once a "
                    "minute, counted in stats.source_errors)", msg)
                with self._lock:  # a new stream: forget the old one (the events before stay queued)
                    self._gen += 1
                    self._reset_state_locked()
                batch = self._reconnect()
                if batch is None:
                    return None
            else:
                # fatal: the events read before the fault stay in the ring and the worker still
                # turns them into frames (no lost data), with the state they built. Said once, by
                # the one who ends: the reader thread, or frames()'s caller (it was said thrice)
                if isinstance(exc, EvFocusError):
                    raise
                raise InputError(f"reading {self.source.format} source failed: {msg}") from exc
        batch = check_events(batch, self.source.format)  # a plugin's wrong return: one line naming it
        if batch is None:
            return None
        self._read_clock = int(getattr(self.source, "clock_epoch", 0))  # (the viewer's tap has one)
        if len(batch) and not getattr(self.source, "checks_sensor_bounds", False):  # (the viewer's tap does)
            batch = self.check_bounds(batch)  # (a reconnected source's first batch too: it was not checked)
        if len(batch):
            now = time.monotonic()
            t_last = int(batch["t"][-1])
            if record_arrival:
                self._arrived(t_last, now)
            self.stats.sensor_t_us = t_last
            self.stats._ev_rate.add(len(batch), now)
            self.stats.events_total += len(batch)
            if self._end_us is not None and t_last >= self._end_us:
                batch = batch[batch["t"] < self._end_us]
                self._eof_at_end = True
            if len(batch):
                t_max = int(batch["t"].max())
                self._t_read_us = t_max if self._t_read_us is None else max(self._t_read_us, t_max)
        return batch

    def _reconnect(self) -> np.ndarray | None:
        """Reopen a live source with exponential back-off until it works or we stop."""
        delay = 0.05
        attempt = 0
        while not self._stop_evt.is_set():
            attempt += 1
            self.stats.status = f"reconnecting (attempt {attempt})"
            if self._stop_evt.wait(delay):
                break
            delay = min(2.0, delay * 2)
            try:
                self._reopen_since = time.monotonic()  # (a stop does not wait long for an open that hangs)
                if self._factory is not None:
                    # close first: the old handle may still hold the USB device the new one needs
                    try:
                        self.source.close()
                    except Exception:
                        log.debug("closing the failed source raised", exc_info=True)
                    self.source = self._factory()
                elif hasattr(self.source, "reopen"):
                    self.source.reopen()
                self._reopen_since = None
                if self._stop_evt.is_set():  # (opened after a stop went on without it: nobody
                    self.source.close()  # closes it else, and it holds the camera)
                    return None
                batch = self._source_read()
            except Exception as exc:
                log.debug("reconnect attempt %d failed: %s", attempt, exc)
                continue
            finally:
                self._reopen_since = None
            self.stats.reconnects += 1
            self.stats.status = "running (reconnected)"
            (log.info if self._fault_said else log.debug)("source reconnected after %d attempt(s)", attempt)
            with self._lock:
                if (int(self.source.width), int(self.source.height)) != self._source_wh:
                    log.info("resolution changed to %dx%d", self.source.width, self.source.height)
                    self._setup_for_source(reconnect=True)
                self._gen += 1
                self._reset_state_locked()
            return np.empty(0, EVENT_DTYPE) if batch is None else batch  # (_read checks it)
        return None

    def check_bounds(self, batch: np.ndarray) -> np.ndarray:
        """``batch`` without events outside the source's sensor, counted in the stats: in
        ``outside_events`` and, at once, in ``dropped_events`` (the worker refreshed that only
        on its next poll, so after a stop the two could disagree)."""
        n = self.bounds.total
        batch = self.bounds(batch)
        if self.bounds.total != n:
            self.stats.outside_events = self.bounds.total
            self.stats.dropped_events = self._dropped_events()
        return batch

    def _source_read(self):
        """``source.read()``, timed for the stall watchdog: no thread of its own, the worker
        looks at ``_read_since`` between its ring polls (``_check_stall``)."""
        self._read_since = t0 = time.monotonic()
        try:
            # (a plugin's fault as one line naming it and the exception's type, README "Plugins":
            # a camera plugin's KeyError('t') was said as "source error: 't'")
            return read_named(self.source)
        finally:
            self._read_since = None
            t1 = time.monotonic()
            self._read_last = (t0, t1)
            if t1 - t0 < STALL_S:  # (a stall that ended is no read's usual time)
                self._read_took_s.append(t1 - t0)

    def _check_stall(self) -> None:
        """A read() that has not returned for ``STALL_S``: one WARNING and ``stats.stalled_s``
        while it lasts, one line when it returns. The worker calls it every ring poll (20 ms):
        it is the watchdog of the reader it waits on (a stalled camera froze the frame, said
        nothing, and a stop waited its full timeout on the reader)."""
        since, now = self._read_since, time.monotonic()
        st = self.stats
        if since is not None and now - since >= STALL_S:
            st.stalled_s = now - since
            if self._stall_since != since:  # a new stall: said once
                self._stall_since = since
                st.stalls += 1
                st.last_fault = (f"{self.source.format} source: read() has not returned for {STALL_S:g} s "
                                 f"({self.stall_hint})")
                log.warning("%s", st.last_fault)
        elif self._stall_since is not None:  # it returned (or a new read began: the stalled one did)
            t0, t1 = self._read_last
            took = t1 - t0 if t0 == self._stall_since else now - self._stall_since
            self._stall_since = None
            st.stalled_s = 0.0
            log.warning("%s source: read() returned after %.1f s: reading again", self.source.format, took)

    @property
    def stall_hint(self) -> str:
        """What a stalled read() may mean, for the user."""
        return "camera stalled or unplugged?" if self.source.is_live else "a slow or unreachable drive?"

    # ------------------------------------------------------------ processing
    def _filter_events(self, batch: np.ndarray, owned: bool = False) -> np.ndarray:
        """The events the slicer gets: those inside ``roi`` shifted to its origin, binned by
        ``downsample``, then the event filters.

        Binned here, under the lock with the slicer push, not when read: the ring, the
        recorder and the viewer's event tap keep the source's full resolution, and a new
        factor (``set_window``) never meets events binned by the old one. ``owned``: the
        batch is ours (a ring pop) and is binned in place (2-3 ms per 1 M events on this
        project's CPU); a source's array is binned into a new one (~8 ms; copying it and
        binning the copy took ~16). The ROI's selection is a new array: ours from then on."""
        roi = self.window_cfg.roi
        if roi is not None and len(batch) and roi != (0, 0, *self._source_wh):
            x0, y0, w, h = roi
            x, y = batch["x"], batch["y"]  # (uint16: x - x0 would wrap below x0, compare instead)
            batch = batch[(x >= x0) & (x < x0 + w) & (y >= y0) & (y < y0 + h)]
            batch["x"] -= batch["x"].dtype.type(x0)
            batch["y"] -= batch["y"].dtype.type(y0)
            owned = True
        n = self.window_cfg.downsample
        if n > 1 and len(batch):
            out = batch if owned else np.empty_like(batch)
            if not owned:
                out["t"], out["p"] = batch["t"], batch["p"]
            np.floor_divide(batch["x"], n, out=out["x"])
            np.floor_divide(batch["y"], n, out=out["y"])
            batch = out
        return self._run_event_filters(batch) if self.event_filters else batch

    def _run_event_filters(self, batch: np.ndarray) -> np.ndarray:
        """The event filters on ``batch``, one at a time: each step's time, to name a slow one."""
        n, span_ms = len(batch), events_span_ms(batch["t"])
        step_ms: dict[str, float] = {}
        t_all = time.perf_counter()
        for f in self.event_filters:
            t_step = time.perf_counter()
            batch = apply_event_filters((f,), batch, *self._wh)
            step_ms[step_name(f)] = (time.perf_counter() - t_step) * 1e3
            if not len(batch):  # (an empty result ends the chain)
                break
        self._see_event_filter_time((time.perf_counter() - t_all) * 1e3, n, span_ms, step_ms)
        return batch

    def _see_event_filter_time(self, ms: float, n_events: int, span_ms: float, step_ms: dict[str, float]) -> None:
        """As :meth:`_see_post_time` for the event filters: a chain slower than ``SLOW_POST_MS``
        a batch and than the events' own time, ``SLOW_POST_FRAMES`` batches running, is logged
        and passed to :attr:`on_warning` once per chain, naming the slowest step."""
        slowest = self._slowest_step("events", ms, span_ms, step_ms)
        if slowest is None or self.stats.slow_event_filters:
            return
        name, step = slowest
        text = (f"event filter {name!r} takes {step:.0f} ms a batch of {n_events} events ({span_ms:.0f} ms of "
                f"events): slower than real time, at most {n_events / ms / 1e3:.2f} M events/s; "
                "leave it out to go faster")
        self.stats.slow_event_filters = text
        log.warning("%s", text)
        self._warn_user(text)

    def _arrived(self, t_us: int, now: float) -> None:
        """Note when sensor time ``t_us`` came in. After a clock restart the old stamps go: the
        search in ``_latency_ms`` needs them sorted (it matched new windows to the oldest stamp)."""
        if self._arrivals and t_us < self._arrivals[-1][0] - RESTART_BACK_US:
            self._arrivals.clear()
        self._arrivals.append((t_us, now))

    def _latency_ms(self, t_us: int, now: float) -> float:
        arr = list(self._arrivals)
        if not arr:
            return 0.0
        i = bisect.bisect_left([a[0] for a in arr], t_us)
        i = min(i, len(arr) - 1)
        return max(0.0, (now - arr[i][1]) * 1e3)

    def _infer(self, events: np.ndarray) -> tuple[dict, torch.Tensor]:
        vox = model_voxel(events, self.num_bins, self.width, self.height, count_channel=model_count_channel(self.model),
                          device=self.device)[None]
        if self.half:
            vox = vox.half()
        with torch.inference_mode():
            return self.runner(vox), vox

    def _infer_compare(self, events: np.ndarray, vox: torch.Tensor) -> np.ndarray | None:
        """The compare model's uint8 frame of the window whose voxel grid (the main model's) is
        ``vox``: the same grid, unless it takes other bins or the count channel (then its own,
        of the same events). None for a NaN/Inf frame (its state reset, as the main model's)."""
        c = self.compare
        bins, count = model_num_bins(c.model, self.window_cfg.num_bins), model_count_channel(c.model)
        if (bins, count) != (self.num_bins, model_count_channel(self.model)):
            vox = model_voxel(events, bins, self.width, self.height, count_channel=count, device=self.device)[None]
        vox = vox.half() if c.half else vox.float()
        try:
            try:
                with torch.inference_mode():
                    out = c.runner(vox)
            except torch.cuda.OutOfMemoryError:  # (as the main model's: both to the CPU, the run goes on)
                self._fallback_to_cpu()
                c, vox = self.compare, vox.float().cpu()
                with torch.inference_mode():
                    out = c.runner(vox)
        except EvFocusError:
            raise
        except Exception as exc:  # (one line naming the compare model, as the main model's fault)
            log.debug("compare inference failed", exc_info=True)
            raise CheckpointError(f"compare model {c.name!r} failed on a {self.width}x{self.height} window: "
                                  f"{type(exc).__name__}: {first_line(exc, '')}") from exc
        try:
            img = check_model_output(out, c.name, self.width, self.height)
        except CheckpointError as exc:  # ("model 'e2vid' returned ...": the main model's, read so)
            raise CheckpointError(f"compare {exc}") from None
        if not bool(torch.isfinite(img.sum(dtype=torch.float32))):  # (said as the main model's: its pane froze)
            self.stats.nan_frames += 1
            self.stats.compare_nan_frames += 1
            self.stats.last_fault = f"compare model {c.name!r} output NaN/Inf: frame dropped, state reset"
            if not self._compare_nan_warned:
                self._compare_nan_warned = True
                log.warning("compare model %r output contains NaN/Inf: frame dropped, state reset (further "
                            "occurrences are counted in stats.compare_nan_frames)", c.name)
            c.model.reset_states()
            return None
        return (img[0, 0].float().clamp(0, 1) * 255 + 0.5).to(torch.uint8).cpu().numpy()

    def _fallback_to_cpu(self) -> None:
        log.warning("CUDA out of memory: falling back to the CPU")
        self.stats.status = self.stats.last_fault = "CUDA out of memory: running on CPU"
        self.device = torch.device("cpu")
        self.stats.device = "cpu"
        self.half = False
        if isinstance(self.model, torch.nn.Module):
            self.model = self.model.float().to("cpu")
        self.model.reset_states()
        self.runner = self._make_runner(self.model)
        if self.compare is not None:  # (both on one device: moved and reset together)
            self.compare = self._prepare_compare(self.compare.model, self.model_cfg, self.compare.by_name)
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def _begin_first_window(self) -> str | None:
        """The model's first window at this size (for this runner): said in ``stats.status``
        and ``stats.warming_up`` while it runs, so seconds of warm-up do not look like a hang.
        Returns the text said, or None for a size already run (a set lookup: no warm-up run)."""
        size = (self.width, self.height)
        if size in self._warm_sizes:
            return None
        self._warm_sizes.add(size)
        text = (f"first window at {size[0]}x{size[1]}: preparing the model"
                + (" (a few seconds on a CPU)" if self.device.type == "cpu" else ""))
        st = self.stats
        st.warming_up = text
        self._status_before_warmup = st.status
        if st.status in ("ready", "running"):  # (not over a fault, a pause or a stop)
            st.status = text
        warm_abs_sum_bins()  # (the readout's numba kernel: part of this step, not the first frame's)
        return text

    def _end_first_window(self, text: str, took_s: float) -> None:
        st = self.stats
        st.warmup_s = took_s
        st.warmups += 1
        st.warming_up = ""
        if st.status == text:  # (another thread may have moved it on: a fault, a pause)
            st.status = self._status_before_warmup

    def process_window(self, window: Window) -> FrameResult | None:
        """Run one window through voxel grid, model and post-processing (None: dropped)."""
        made = self._model_part(window)
        return None if made is None else self._post_part(made)

    def _model_part(self, window: Window) -> _Made | None:
        """The part of :meth:`process_window` that needs ``_lock``: voxel grid, model, defocus
        map, event and APS images, and the frame post-processors to run on its frame."""
        t0 = time.perf_counter()
        first = self._begin_first_window()
        try:
            try:
                out, vox = self._infer(window.events)
            except torch.cuda.OutOfMemoryError:
                self._fallback_to_cpu()
                out, vox = self._infer(window.events)
        except EvFocusError:
            raise
        except Exception as exc:  # a broken model or plugin: one line (reconstruct exits 2, the viewer says it)
            log.debug("inference failed", exc_info=True)
            msg = first_line(exc, "")
            raise CheckpointError(f"model {self.model_cfg.name!r} failed on a {self.width}x{self.height} window: "
                                  f"{type(exc).__name__}: {msg}") from exc
        finally:
            if first is not None:
                self._end_first_window(first, time.perf_counter() - t0)
        img = check_model_output(out, self.model_cfg.name, self.width, self.height)
        compare = None
        if self.compare is not None:  # (each window, as the main model: its state follows the stream)
            t_cmp = time.perf_counter()
            compare = self._infer_compare(window.events, vox)
            self.stats.compare_ms = (time.perf_counter() - t_cmp) * 1e3
        if self.device.type == "cuda":  # this GPU's (on cuda:1 a bare synchronize() opened a context on GPU 0)
            torch.cuda.synchronize(self.device)
        nan = not bool(torch.isfinite(img.sum(dtype=torch.float32)))  # NaN/Inf anywhere propagates
        if not window.frame and not nan:  # the cut-off part of an overfull window: state only
            return None
        if nan:
            self.stats.nan_frames += 1
            self.stats.last_fault = "model output NaN/Inf: frame dropped, state reset"
            if not self._nan_warned:
                self._nan_warned = True
                log.warning("model output contains NaN/Inf: frame dropped, state reset "
                            "(further occurrences are counted in stats.nan_frames)")
            self.model.reset_states()
            return None
        image = (img[0, 0].float().clamp(0, 1) * 255 + 0.5).to(torch.uint8).cpu().numpy()
        infer_ms = (time.perf_counter() - t0) * 1e3
        sigma = blur = defocus_px = None
        if isinstance(out, dict):
            if out.get("sigma") is not None:
                sigma = out["sigma"][0, 0].float().cpu().numpy()
                # |voxel| summed over the bins, smoothed by OpenCV: 4x faster on a CPU than
                # activity_weights_torch's 33-tap convs (the bins only: an event-count channel
                # after them is not activity). On the CPU the grid itself goes in (core.defocus
                # sums it in one pass: torch's abs().sum(0) made an |grid| copy first; the
                # weights 8.0 -> 4.4 ms at 1280x720); on a GPU the sum is made there, one channel comes over
                bins = vox[0, :self.num_bins]
                bins = (bins.numpy() if bins.device.type == "cpu" and bins.dtype == torch.float32
                        else bins.float().abs().sum(0, keepdim=True).cpu().numpy())
                # (None for a near-empty window, e.g. a looped file's leftover: core.defocus)
                defocus_px = defocus_readout_px(sigma, activity_weights(bins), n_events=window.n_events)
            if out.get("blur") is not None:
                blur = (out["blur"][0, 0].float().clamp(0, 1) * 255 + 0.5).to(torch.uint8).cpu().numpy()
        ev_img = (event_image(window.events, self.width, self.height, palette=self.event_palette)
                  if self.render_events else None)
        aps = self.aps_view_at(int(window.t_us)) if self.aps else None
        reset_first, self._post_reset_due = self._post_reset_due, False
        self._made_pending = True
        return _Made(window, image, sigma, defocus_px, blur, ev_img, aps, infer_ms, self.runner.label,
                     self.frame_filters, reset_first, warmup=first is not None, compare=compare,
                     compare_filters=self.compare_filters)

    def _post_part(self, made: _Made, gen: int | None = None) -> FrameResult | None:
        """The frame post-processors on the model's frame and the result: under ``_post_lock``
        only, so that a command does not wait for a slow plugin's step (see ``_show``). None when
        ``gen`` is given and a command made it stale meanwhile (a seek, new settings: the viewer
        took the old frame for the new setting's)."""
        window = made.window
        # a post-processor plugin that raises or returns no frame: one ConfigError naming it
        step_ms: dict[str, float] = {}
        t_post = time.perf_counter()
        with self._post_lock:
            try:
                if made.reset_first:  # (asked for while the last frame was on its way)
                    self._reset_deferred(made.filters)
                    self._reset_deferred(made.compare_filters)
                if gen is not None and gen != self._gen:  # stale: a slow step would hold the next frame
                    return None
                image = made.image
                for f in made.filters:  # (one at a time: each step's time, to name a slow one)
                    t_step = time.perf_counter()
                    image = apply_frame_filters((f,), image, window.t_us)
                    step_ms[step_name(f)] = (time.perf_counter() - t_step) * 1e3
                compare = made.compare
                for f in made.compare_filters if compare is not None else ():  # (its time counted with the step's)
                    t_step = time.perf_counter()
                    compare = apply_frame_filters((f,), compare, window.t_us)
                    step_ms[step_name(f)] = step_ms.get(step_name(f), 0.0) + (time.perf_counter() - t_step) * 1e3
            finally:
                self._made_pending = False
        if made.filters is self.frame_filters:  # (a frame of the chain set_post replaced says nothing of the new)
            self._see_post_time((time.perf_counter() - t_post) * 1e3, made.infer_ms, step_ms)
        if gen is not None and gen != self._gen:
            return None
        aps = made.aps
        now = time.monotonic()
        fr = FrameResult(index=self._index, t_start_us=int(window.t_start_us), t_us=int(window.t_us),
                         n_events=window.n_events, image=np.ascontiguousarray(image), event_image=made.event_image,
                         sigma=made.sigma, defocus_px=made.defocus_px, blur=made.blur, infer_ms=made.infer_ms,
                         latency_ms=self._latency_ms(int(window.t_us), now),
                         aps=aps[1] if aps else None, aps_t_us=int(aps[0]) if aps else None,
                         compare=None if compare is None else np.ascontiguousarray(compare), clock=window.clock)
        self._index += 1
        st = self.stats
        st.frames += 1
        st.infer_ms = made.infer_ms
        self._timed_after_warmup = not made.warmup
        st.backend = made.backend
        st.latency_ms = fr.latency_ms
        st._fr_rate.add(1, now)
        st.ring_fill, st.ring_fill_ratio = self.ring.fill, self.ring.fill_ratio
        st.dropped_events = self._dropped_events()
        return fr

    def _reset_deferred(self, filters: list) -> None:
        """A reset ``_reset_frame_filters`` left to the worker. A plugin's ``reset()`` that raises
        is said, as to the command that asked (the viewer's status bar), and the run goes on with
        it as it was: here it stopped the worker, though a reset done at once does not."""
        try:
            reset_filters(filters)
        except ConfigError as exc:
            log.error("%s", exc)
            self._warn_user(str(exc))

    def _see_post_time(self, post_ms: float, infer_ms: float, step_ms: dict[str, float]) -> None:
        """Note the frame's post-processing time; post-processing that is slow (``SLOW_POST_MS``)
        and slower than the model for ``SLOW_POST_FRAMES`` frames running is logged and passed to
        :attr:`on_warning` once per chain, naming the slowest step and the frame rate it leaves."""
        self.stats.post_ms = post_ms
        slowest = self._slowest_step("post", post_ms, infer_ms, step_ms)
        if slowest is None or self.stats.slow_post:
            return
        name, ms = slowest
        text = (f"post-processor {name!r} takes {ms:.0f} ms a frame (the model {infer_ms:.0f} ms): at most "
                f"{1e3 / (post_ms + infer_ms):.1f} frames/s; leave it out to go faster")
        self.stats.slow_post = text
        log.warning("%s", text)
        self._warn_user(text)

    def _slowest_step(self, chain: str, ms: float, floor_ms: float,
                      step_ms: dict[str, float]) -> tuple[str, float] | None:
        """The ``chain``'s slowest step and its time once the chain (``post`` or ``events``) has
        taken over ``SLOW_POST_MS`` and over ``floor_ms`` (the model's time; the events' own)
        ``SLOW_POST_FRAMES`` times running; else None."""
        if ms < SLOW_POST_MS or ms < floor_ms or not step_ms:
            self._slow_runs[chain] = 0
            return None
        self._slow_runs[chain] += 1
        if self._slow_runs[chain] < SLOW_POST_FRAMES:
            return None
        return max(step_ms.items(), key=lambda kv: kv[1])

    # ------------------------------------------------------------ synchronous mode
    def _check_source_open(self) -> None:
        """:class:`InputError` for a closed source (after :meth:`close`, or one closed by its
        caller): it reads like one at its end, so a run made no frame and said nothing. A
        live source the reader reopens is not refused."""
        src = self.source
        if getattr(src, "closed", False) and not (src.is_live and self.reconnect and self._factory is not None):
            src.check_open()

    def frames(self) -> Iterator[FrameResult]:
        """Reconstruct every window of the source, in order, in the caller's thread.

        Ends at the end of a recording (or ``end_s``) after the final partial window, or
        once every given time (window mode "timestamps") has its frame.
        May be called again after :meth:`seek` to continue from there, or after leaving
        the loop early (or after a threaded run's :meth:`stop`) to go on where it was.
        """
        if self._threads_alive():
            raise EvFocusError("pipeline is running in threaded mode")
        self._check_source_open()
        if self.stats.status == "finished" and not self.source.is_live:  # (a re-run notebook cell)
            log.warning("frames(): the recording has ended, there is nothing more to read: "
                        "pipe.seek(t_us) to read it again")
        self.stats.status = "running"
        # what the last run left comes first: the windows it did not show (a loop left early, a
        # threaded stop), the ring's events and the reader's unpushed batch (read from the source
        # already: without them, start-stop-frames() lost a third of a recording, silently)
        carry, self._carry = self._carry, None
        if carry is not None and carry[0] == self._gen:
            yield from self._frames_of(*carry)
        left = self._left_clocked()
        eof_at_end, self._eof_at_end = self._eof_at_end and bool(left), False
        while True:
            if left:
                batch, clock = left.pop(0)
                self._eof_at_end = eof_at_end and not left  # (the run had reached --end-s)
            elif self._slicer_done():  # every given time has its frame: the rest is not read
                break
            else:
                try:
                    batch = self._read()
                except InputError:
                    yield from self._frames_before_damage()
                    raise
                clock = self._read_clock
            if batch is None:
                break
            if len(batch) == 0:
                if self._eof_at_end:
                    break
                continue
            with self._lock:
                gen = self._gen
                windows = self._new_clock(clock, int(batch["t"][0])) if clock != self._slicer_clock else []
                windows += self._clocked(self.slicer.push(self._filter_events(batch)))
            yield from self._frames_of(gen, windows)
            if self._eof_at_end:
                break
        with self._lock:
            gen, windows = self._gen, self._clocked(self._end_tail(self.slicer.flush()))
        yield from self._frames_of(gen, windows)
        self.stats.status = "finished"

    def _left_clocked(self) -> list[tuple[np.ndarray, int]]:
        """What a threaded run left for :meth:`frames`: the ring's events, a pop per clock, and
        the reader's unpushed batch (on the clock last read), each with its clock: its windows
        end at a new clock and carry theirs, as the worker's do (``FrameResult.clock``)."""
        left = []
        while True:
            ev, _, clock = self.ring.pop_clocked()
            if not len(ev):
                break
            left.append((ev, clock))
        if self._unread is not None and len(self._unread):
            left.append((self._unread, self._read_clock))
        self._unread = None
        return left

    def _frames_before_damage(self) -> Iterator[FrameResult]:
        """frames() of the open window when the source fails mid-file (an AEDAT4 packet that does
        not decode, a file that shrank): its events were read and are sound, so its frame is made,
        as at a recording's end (up to 1 s of a duration window was lost before the error line).
        Not for given times (``--at``): the next time's frame would hold only the events before
        the damage, and event-count windows are made whole only."""
        if not isinstance(self.slicer, (DurationSlicer, AdaptiveSlicer)):
            return
        with self._lock:
            gen, windows = self._gen, self._clocked(self._end_tail(self.slicer.flush()))
        yield from self._frames_of(gen, windows)

    def _frames_of(self, gen: int, windows: list[Window]) -> Iterator[FrameResult]:
        """frames() of ``windows``. A caller that leaves the loop early (the generator is
        closed) keeps the rest for the next frames() or start(): one batch holds dozens of
        windows, and a second frames() call went on after them, a hole in the output."""
        for i, w in enumerate(windows):
            with self._lock:
                if gen != self._gen:  # a seek from another thread: these are stale
                    return
                fr = self.process_window(w)
            if fr is not None:
                try:
                    yield fr
                except GeneratorExit:
                    self._carry = (gen, windows[i + 1:])
                    self.stats.status = "stopped"
                    raise

    # ------------------------------------------------------------ threaded mode
    def _threads_alive(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    @property
    def running(self) -> bool:
        """True while the threaded mode's reader or worker is alive."""
        return self._threads_alive()

    @property
    def drained(self) -> bool:
        """True once the worker has stopped: at the end of a recording, after a fatal source
        fault (the events read before it processed first), or when stopped."""
        return self._drained.is_set()

    def start(self, on_frame: Callable[[FrameResult], None] | None = None) -> None:
        """Start the reader and worker threads; ``on_frame`` runs in the worker thread."""
        if on_frame is not None and not callable(on_frame):  # (else its TypeError logged at every frame)
            raise TypeError(f"on_frame must be a function of one FrameResult, got {describe(on_frame)}")
        if self._threads_alive():
            if not self._stop_evt.is_set():
                return  # running
            self._join_stopping()
        self._check_source_open()
        self._on_frame = on_frame
        self._callback_said = False
        self._stop_evt.clear()
        self._eof.clear()
        self._drained.clear()
        self._eof_at_end = False
        self._anchor = None
        self.stats.status = "paused" if self._paused.is_set() else "running"  # (paused before start)
        self._threads = [threading.Thread(target=self._reader_loop, name="evfocus-reader", daemon=True),
                         threading.Thread(target=self._worker_loop, name="evfocus-worker", daemon=True)]
        for t in self._threads:
            t.start()
        with _STARTED_LOCK:
            _STARTED.add(self)

    @property
    def first_read_wait_s(self) -> float:
        """How long a :meth:`stop` now would wait for a live camera's first read() in progress
        (up to ``FIRST_READ_JOIN_S`` from its start); 0 when none is in progress."""
        since, now = self._read_since, time.monotonic()
        if since is None or not self.source.is_live or self._read_last != (0.0, 0.0) or now - since >= STALL_S:
            return 0.0  # (none, or a stall: left as any is)
        return max(0.0, since + FIRST_READ_JOIN_S - now)

    def stop(self, timeout_s: float = 5.0, wait_first_read: bool = True) -> None:
        """Stop the threads (idempotent). ``wait_first_read``: a live camera's first read() in
        progress is waited for (``first_read_wait_s``: its batch reaches a recording); False
        where nothing keeps that batch (no events recorded): the viewer froze for up to 5 s on a
        source switch or a window close for a camera whose first read never returned. Neither
        waits past ``timeout_s``, counted from the first stop that waited for the thread: a stop
        again (the viewer closing while recording halts the pipeline, then stops the session)
        waited another ``timeout_s`` for a slow model's window, and said it again."""
        self._stop_evt.set()
        self._wake_reader()
        for t in self._threads:
            if t is not threading.current_thread():
                now = time.monotonic()
                first_stop_s = getattr(t, "stop_since", None)
                if first_stop_s is None:
                    t.stop_since = first_stop_s = now
                if getattr(t, "finishing_said", False):  # (said: the rest of the one wait, no more)
                    t.join(max(0.0, first_stop_s + timeout_s - now))
                    continue
                since = self._read_since
                stalled_s = 0.0 if since is None or t.name != "evfocus-reader" else time.monotonic() - since
                # a reader in a read() that has stalled for seconds will not end in the next 5:
                # the viewer froze for them on a source switch (it ends when read() returns)
                if getattr(t, "unanswered_said", False):  # (close_all after a stop: said, waited)
                    continue
                live_read = t.name == "evfocus-reader" and since is not None and self.source.is_live
                # (none has returned yet, and it is no stall so far)
                first_left_s = self.first_read_wait_s if live_read else 0.0
                first_wait_s = min(timeout_s, first_left_s) if wait_first_read else 0.0
                first_read = first_wait_s > 0.0
                if first_read and first_wait_s > self._live_read_join_s():  # (a stop that seems to hang)
                    log.info("waiting up to %.1f s for the %s camera's first read() to return (its events "
                             "are kept)", first_wait_s, self.source.format)
                reopen_since = self._reopen_since if t.name == "evfocus-reader" else None
                t.join(first_wait_s if first_read
                       else min(timeout_s, STALLED_JOIN_S) if stalled_s >= STALL_S
                       else min(timeout_s, self._live_read_join_s()) if live_read
                       else min(timeout_s, LIVE_READ_JOIN_S) if reopen_since is not None
                       else max(0.0, first_stop_s + timeout_s - now))
                if t.is_alive() and reopen_since is not None and self._reopen_since is not None:
                    # (a lost camera's open that hangs: a USB device half there; Ctrl-C took 11 s)
                    t.unanswered_said = True  # (said once: not again by close_all at exit, nor the app)
                    log.warning("the %s camera being opened again has not answered for %.1f s: stopped "
                                "without it", self.source.format, time.monotonic() - reopen_since)
                    continue
                if t.is_alive() and t.name == "evfocus-worker" and self._in_callback:
                    # (not the model: a script's callback that waits for what never comes, such as
                    # a full queue whose reader has ended; at exit, the seconds Python hung for)
                    log.warning("%s did not stop within %.1f s: the on_frame callback has not returned",
                                t.name, timeout_s)
                elif t.is_alive() and t.name == "evfocus-worker":  # a slow model's window: not a fault
                    t.finishing_said = True
                    log.info("%s is still finishing its window after %.1f s (a start waits for it)",
                             t.name, timeout_s)
                elif t.is_alive() and first_read and self._read_since is not None:
                    t.unanswered_said = True
                    log.warning("the %s camera's first read() has not returned for %.1f s: stopped without it "
                                "(the events it reads now are not recorded)", self.source.format,
                                time.monotonic() - since)
                elif t.is_alive() and first_left_s > 0.0 and self._read_since is not None:
                    # (not waited for: nothing keeps its batch. A DAVIS's first read compiles its
                    # decoder for seconds: "did not answer" warned of a fault where there was none)
                    t.unanswered_said = True  # (not said again, nor waited for, at exit)
                    log.info("the %s camera's first read() was still in progress after %.1f s (a first read can "
                             "take seconds: a DAVIS compiles its decoder); stopped without waiting for it, "
                             "nothing lost (no events recorded)", self.source.format, time.monotonic() - since)
                elif t.is_alive() and (stalled_s >= STALL_S or live_read) and self._read_since is not None:
                    t.unanswered_said = True  # (said once: not again by close_all at exit, nor the app)
                    log.warning("the %s %s did not answer (its read() has not returned for %.1f s): "
                                "stopped without it", self.source.format,
                                "camera" if self.source.is_live else "source", time.monotonic() - since)
                elif t.is_alive():
                    log.warning("%s did not stop within %.1f s", t.name, timeout_s)
        # one still busy (a slow model's window) stays listed: ``running`` says so, and start()
        # waits for it; forgotten, a start() ran a second worker on the same ring and slicer
        self._threads = [t for t in self._threads if t.is_alive() and t is not threading.current_thread()]
        for kind, n in self._fault_log.take_suppressed().items():  # (the rest of a live source's faults)
            log.info("source error (%s) again %d time(s) since it was last said", kind, n)
        if self.bounds is not None:  # the final count (the worker's last poll may predate the last drops)
            self.stats.dropped_events = self._dropped_events()
        if not self.stats.status.startswith(("source error", "worker error", "CUDA", "finished")):
            self.stats.status = "stopped"

    def _live_read_join_s(self) -> float:
        """How long a stop waits for a live source's read() in progress: ``LIVE_READ_JOIN_S``,
        or twice the longest of its recent reads (a slow but healthy camera is no stuck one)."""
        return max(LIVE_READ_JOIN_S, 2.0 * max(self._read_took_s, default=0.0))

    def _join_stopping(self, limit_s: float = 60.0) -> None:
        """Before a start(): wait for the threads a stop() left busy (told to stop, they end
        after the window or read in hand), so that two runs never share the ring and slicer."""
        deadline = time.monotonic() + limit_s
        for t in self._threads:
            if t is threading.current_thread():
                continue
            log.info("waiting for %s to stop before starting again", t.name)
            t.join(max(0.0, deadline - time.monotonic()))
            if t.is_alive():
                raise EvFocusError(f"cannot start: the previous run's {t.name} has not stopped "
                                   f"within {limit_s:.0f} s")
        self._threads = []

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait until a recording has been fully processed; True when done."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        for t in list(self._threads):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            t.join(left)
        return not self._threads_alive()

    def close(self) -> None:
        """Stop threads and close a source the pipeline opened itself."""
        self.stop()
        if self._own_source:
            try:
                self.source.close()
            except Exception:
                log.debug("closing the source raised", exc_info=True)

    def __repr__(self) -> str:
        """What an interactive session shows for ``pipe``: source, size, model, device, state
        (safe on a pipeline whose setup failed part way)."""
        src, cfg = getattr(self, "source", None), getattr(self, "model_cfg", None)
        wh, stats = getattr(self, "_wh", None), getattr(self, "stats", None)
        return (f"<Pipeline {getattr(src, 'format', '?')} {'x'.join(map(str, wh)) if wh else '?'}, "
                f"model {getattr(cfg, 'name', '?')} on {getattr(self, 'device', '?')}: "
                f"{getattr(stats, 'status', 'not made')}, {getattr(stats, 'frames', 0)} frames>")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def _pace(self, batch: np.ndarray) -> bool:
        """Wait until the sensor clock (scaled by ``speed``) reaches the batch start.

        While paused it waits (the batch is kept) and re-anchors the clock on resume.
        Returns False when interrupted by stop or seek (the batch is then discarded).
        A live source is never held: the reader loop drains it while paused.
        """
        if self.source.is_live:
            return True
        while self._paused.is_set():
            if self._stop_evt.wait(0.02) or self._seek_req is not None:
                return False
            self._anchor = None
        sought_us, self._sought_us = self._sought_us, None
        if self.speed <= 0:
            return True
        if self.unpaced.is_set():  # (the clock starts anew after it)
            self._anchor = None
            return True
        t_first = int(batch["t"][0])
        now = time.monotonic()
        last_us, self._paced_us = self._paced_us, t_first
        last_end_us, self._paced_end_us = self._paced_end_us, int(batch["t"][-1])
        sought = self._anchor is None and self._anchor_at_seek(sought_us, t_first, now)
        if sought:  # (the pause from the time sought: no step back from the part before the seek)
            last_us, last_end_us = None, sought_us
        elif self._anchor is None:
            self._anchor = (t_first, now)
            return True
        t0, w0 = self._anchor
        target = w0 + (t_first - t0) / 1e6 / self.speed
        # after a clock restart (a step back from the last part, or before the anchor) the rest
        # is not played unpaced until the new clock passes the old one: the clock starts anew there
        if t_first < max(t0, last_us if last_us is not None else t0) - RESTART_BACK_US:
            self._anchor = (t_first, now)
            return True
        shortened = target - now > MAX_GAP_S
        if shortened:  # a long gap in the recording: played as MAX_GAP_S, said
            self._say_gap(t_first, target - now, rest=sought)
        if (target - now >= PLAYED_GAP_S and last_end_us is not None and last_end_us < t_first
                and (self.played_gap is None or self.played_gap.until_us != t_first)):
            # (kept as it was over a pause and play or a speed change in it: the same pause; none
            # at a loop's step back to the start)
            self.played_gap = PlayedGap(last_end_us, t_first, min(target - now, MAX_GAP_S), shortened, self.speed,
                                        sought=sought)
        if shortened:
            target = now + MAX_GAP_S
            self._anchor = (t_first, target)
        try:
            return self._wait_paced(batch, t_first, target)
        finally:
            if self.played_gap is not None and self.played_gap.until_us == t_first:
                self.played_gap = None

    def _anchor_at_seek(self, sought_us: int | None, t_first: int, now: float) -> bool:
        """Start the replay's clock at the time a seek went to (True), when the first part after
        it comes later: a seek into a pause in the recording plays the rest of the pause (at the
        replay speed, up to ``MAX_GAP_S``), as a video player does; it jumped to the next event."""
        if sought_us is None or t_first <= sought_us:
            return False
        if (t_first - sought_us) / 1e6 / max(self.speed, 1e-9) >= SEEK_WAIT_CHECKED_S:
            try:  # (a wait worth a look; the readers cache it, a column file scans once for it)
                rng = self.source.time_range_us()
            except Exception:  # (a plugin source's: the seek plays as it did)
                rng = None
            if rng is not None and sought_us < rng[0]:
                # before the recording (``seek(0)`` from the API; the viewer clamps): no pause in it
                return False
        self._anchor = (sought_us, now)
        return True

    def _wait_paced(self, batch: np.ndarray, t_first: int, target: float) -> bool:
        """``_pace``'s wait for wall time ``target``, heeding a stop, seek, pause or speed change."""
        speed = self.speed
        while True:
            left = target - time.monotonic()
            if left <= 0:
                return True
            if self._stop_evt.wait(min(left, 0.02)) or self._seek_req is not None:
                return False
            if self.unpaced.is_set():
                return self._pace(batch)
            if self._paused.is_set() or self._anchor is None or self.speed != speed:
                return self._pace_on(batch, t_first - int(max(0.0, target - time.monotonic()) * speed * 1e6))

    def _pace_on(self, batch: np.ndarray, at_us: int) -> bool:
        """``_pace`` after a pause, or a speed change (``resume`` re-anchors), in a wait: the rest
        of it from sensor time ``at_us``, at the speed now. A played pause of seconds waited
        out its end at the old speed ("max" chosen in it too), and a pause and play ended it."""
        while self._paused.is_set():
            if self._stop_evt.wait(0.02) or self._seek_req is not None:
                return False
        if self.speed <= 0 or self.unpaced.is_set():
            return self._pace(batch)
        self._anchor = (at_us, time.monotonic())
        return self._pace(batch)

    def _say_gap(self, t_us: int, wait_s: float, rest: bool = False) -> None:
        """Log a gap in a paced replay shortened to ``MAX_GAP_S``, once per gap (a looping
        replay meets it at each pass); ``rest``: the part of it after a seek into it."""
        if t_us in self._gaps_said:
            return
        self._gaps_said.add(t_us)
        try:
            rng = self.source.time_range_us()
        except Exception:  # (a plugin source's: the gap is said without where)
            rng = None
        at = f", events again at {(t_us - rng[0]) / 1e6:.1f} s" if rng is not None else ""
        # (at a slow speed a short pause is the long wait: "a 1.0 s pause ... (pauses longer than
        # 5 s are shortened)" contradicted itself at 0.1x)
        wall = f" ({wait_s:.1f} s at {self.speed:g}x)" if self.speed != 1 else ""
        what = f"the last {wait_s * self.speed:.1f} s of a" if rest else f"a {wait_s * self.speed:.1f} s"
        log.info("%s pause in the recording%s%s: played as %g s (a pause plays for at most %g s)",
                 what, wall, at, MAX_GAP_S, MAX_GAP_S)

    def _loop_to_start(self) -> bool:
        """At the end of a recording: seek back to the start when looping (True) or stop."""
        can_seek = getattr(self.source, "can_seek", not self.source.is_live)  # (a duck-typed source)
        if not self.loop or not can_seek or self._seek_req is not None:
            return self._seek_req is not None
        rng = self.source.time_range_us()
        if rng is None:
            return False
        start_us = rng[0] + int(round((self._start_s or 0) * 1e6))
        end_us = self._end_us if self._end_us is not None else rng[1]
        if self._t_read_us is not None:  # (a pass that ended at damage: the part read)
            end_us = min(end_us, self._t_read_us)
        if self._slicer_done() and len(self.slicer.timestamps_us):  # the pass stopped at the last
            end_us = min(end_us, int(self.slicer.timestamps_us[-1]))  # given time, not at the end
        if not self._flush_tail():
            return self._seek_req is not None
        # (read unpaced for a frame that this pass did not make, an ROI where nothing moves: the
        # next pass plays at the replay speed, not flat out on a core, over and over)
        self.unpaced.clear()
        while self._paused.is_set():  # paused at the end (the tail was a paused replay's one frame, a
            # setting remade it): stay there, reading nothing, until play; it started the next pass
            # in the background, and the next remake of the last window waited for that pass's reads
            if self._stop_evt.wait(0.02) or self._seek_req is not None:
                return self._seek_req is not None
        anchor = self._anchor  # (None after a pause: resume re-anchors)
        if anchor is not None and end_us == rng[1] and not self._slicer_done():
            # (the whole file read: not at --end-s, damage or the last given time)
            played = self._play_end_pause(end_us, anchor)
            if played is None:
                return self._seek_req is not None
            end_us, anchor = played
        self._eof_at_end = False
        if self.stats.loops == 0:
            self.stats.first_pass = (self.stats.events_total, self.stats.frames)
        self._do_seek(start_us)
        self.stats.loops += 1
        if anchor is not None and self.speed > 0:
            # keep the replay clock: the next pass starts where this one's time range ends,
            # so the tail flush and the seek do not add to each pass (they are caught up)
            t0, w0 = anchor
            self._anchor = (start_us, w0 + max(0, end_us - t0) / 1e6 / self.speed)
            self._paced_us = None  # (the step back to the start is no clock restart)
        return True

    def _play_end_pause(self, last_us: int, anchor: tuple[int, float]) -> tuple[int, tuple[int, float]] | None:
        """A looping replay of a file whose clock runs on past its last event (``source.end_us()``:
        a RAW file's sensor wrote its time on through a still scene) plays that pause at its end,
        as any pause in it (``played_gap``, up to ``MAX_GAP_S``), before it starts again: it
        started again at once. Returns the pass's end and the clock (kept: a pause and play in
        it plays the rest), or None when a stop or seek came in it, or the loop was unticked."""
        try:
            end = getattr(self.source, "end_us", lambda: None)()
        except Exception:  # (a plugin source's: no end but its last event)
            end = None
        if end is None or end <= last_us or self.speed <= 0 or self.unpaced.is_set():
            return last_us, anchor
        t0, w0 = anchor
        now = time.monotonic()
        wall_s = w0 + (end - t0) / 1e6 / self.speed - now
        shortened = wall_s > MAX_GAP_S
        target = now + min(wall_s, MAX_GAP_S)
        if wall_s >= PLAYED_GAP_S:
            self.played_gap = PlayedGap(last_us, end, min(wall_s, MAX_GAP_S), shortened, self.speed, at_end=True)
        speed = self.speed
        try:
            while (left := target - time.monotonic()) > 0:
                if self._stop_evt.wait(min(left, 0.02)) or self._seek_req is not None:
                    return None
                paused_at = time.monotonic()
                while self._paused.is_set():  # (held, and the rest played on play)
                    if self._stop_evt.wait(0.02) or self._seek_req is not None:
                        return None
                target += time.monotonic() - paused_at
                if not self.loop:  # (unticked in it: the replay ends here, as one not looping does)
                    return None
                if self.speed <= 0 or self.unpaced.is_set():  # ("max" chosen in it: no rest to play)
                    break
                if self.speed != speed:  # its rest at the speed chosen, as _wait_paced plays any pause
                    now = time.monotonic()
                    target = now + min(max(0.0, target - now) * speed / self.speed, MAX_GAP_S)
                    speed = self.speed
        finally:
            self.played_gap = None
        return end, (end, target)

    def _loop_past_damage(self, exc: InputError) -> bool:
        """A looping replay whose file has a packet that does not decode (the source's
        ``stats['damaged_at_byte']``; an AEDAT4 file): True to end the pass there and loop the
        part read, said (logged once, on the viewer's status bar at each pass) and kept in
        ``last_fault``. A demo loop stopped at the first pass's damage, and the part before it
        was not seen again. A headless run reads once: damage ends it, as without the loop."""
        if not self.loop or self._t_read_us is None or not getattr(self.source, "can_seek", False):
            return False
        try:
            at = self.source.stats.get("damaged_at_byte")
            rng = self.source.time_range_us()
        except Exception:  # a plugin source's stats: no damage it can name
            return False
        start_us = rng[0] + int(round((self._start_s or 0) * 1e6)) if rng is not None else None
        if at is None or start_us is None or self._t_read_us <= start_us:
            return False
        path = getattr(self.source, "path", None)
        why = self.source.stats.get("damage") or first_line(exc)
        good_s = (self._t_read_us - start_us) / 1e6
        good = f"{good_s:.1f} s" if good_s >= 1 else f"{good_s * 1e3:.0f} ms"
        text = f"{getattr(path, 'name', self.source.format)} damaged at byte {at:,}: replaying the first {good} ({why})"
        self.stats.status = "running"
        self._damage_looped = self._read_error
        if self._damage_said != text:  # (logged once; the status bar at each pass: it stays in view)
            self._damage_said = text
            log.warning("%s", text)
        self._warn_user(text)
        self.stats.last_fault = text
        return True

    def _flush_tail(self) -> bool:
        """Before a loop's seek: let the worker take every event read and turn the last
        partial window into a frame, as at the end without looping. Otherwise the seek
        clears the ring and resets the slicer: each pass lost its tail, and a recording
        shorter than one window never showed a frame. False: stopped or seeking meanwhile."""
        worker = self._threads[1] if len(self._threads) > 1 else None
        self._tail_done.clear()
        self._tail_req.set()
        self.ring.wake()  # the worker may be waiting on an empty ring
        while not self._tail_done.wait(0.02):
            if self._stop_evt.is_set() or self._seek_req is not None:
                self._tail_req.clear()
                return False
            if worker is None or not worker.is_alive():
                break
        return True

    def _reader_loop(self) -> None:
        pace_chunk_us = 5_000
        told = SourceWarnings(self._warn_user)  # (a RAW file's clock reset or damaged tail: to the viewer too)
        try:
            while not self._stop_evt.is_set():
                if self._seek_req is not None:
                    t, self._seek_req = self._seek_req, None
                    self._do_seek(t)
                paused_live = self._paused.is_set() and self.source.is_live
                if self._paused.is_set() and not paused_live:
                    self._stop_evt.wait(0.02)
                    continue
                if self._unread is not None and not paused_live:  # the rest of the batch a stop interrupted
                    batch, self._unread = self._unread, None
                elif self._slicer_done():
                    batch = None  # every given time has its frame: the rest is not read
                else:
                    try:
                        batch = self._read(record_arrival=False)
                    except InputError as exc:
                        if not self._loop_past_damage(exc):
                            raise
                        batch = None  # this pass ends at the damage
                if paused_live and batch is not None:
                    # a camera runs on while paused: drain it and drop what it gives (taps on the
                    # source, e.g. the recorder, still see it). Unread, its queue overflowed into
                    # "dropped events" and resume showed a backlog seconds old instead of now
                    self.stats.paused_events += len(batch)
                    self._stop_evt.wait(0.005)  # a source without its own clock returns at once: no spin
                    continue
                if batch is None:
                    # (a loop whose range holds no given time would start over and over)
                    if self._loop_to_start() and (self._seek_req is not None or not self._slicer_done()):
                        continue
                    break
                if len(batch):
                    # pace in small sensor-time chunks so a big file batch is not one burst
                    parts = [batch]  # live: as the source gave it
                    if not self.source.is_live and self.speed > 0:
                        # (5 ms of wall time at any speed: 0.5 ms parts at 10x, 2000 paced pushes
                        # a second, were more than the reader could do)
                        edges = pace_edges(batch["t"], int(pace_chunk_us * max(1.0, self.speed)))
                        if len(edges):
                            parts = np.split(batch, edges)
                    elif not self.source.is_live:  # speed 0: slices the back-pressure can hold, so
                        # no reader batch (up to 512 k events) overfills the ring, no window is lost
                        step = max(1, self.backpressure_events() // 2)
                        parts = [batch[i:i + step] for i in range(0, len(batch), step)]
                    for k, part in enumerate(parts):
                        # (held back first: a frame that pauses the replay comes out meanwhile)
                        if not self._hold_back() or not self._pace(part):
                            if self._stop_evt.is_set() and self._seek_req is None:  # start() goes on here
                                self._unread = concat(parts[k:])
                            break
                        self.ring.set_clock(self._read_clock)  # (a live camera's: see FrameResult.clock)
                        self.ring.push(part)
                        self._arrived(int(part["t"][-1]), time.monotonic())
                if self._eof_at_end:  # reached --end-s
                    if self._loop_to_start():
                        continue
                    break
        except EvFocusError as exc:
            self.stats.status = f"source error: {exc}"
            log.error("source error, reading stopped: %s", exc)
        except Exception as exc:  # never let the thread die silently
            self.stats.status = f"source error: {type(exc).__name__}: {exc}"
            log.exception("reader thread crashed")
        finally:
            told.close()
            self._eof.set()

    def _worker_loop(self) -> None:
        try:
            while not self._stop_evt.is_set():
                carry, self._carry = self._carry, None
                if carry is not None:  # windows a stop left unshown come first (stale ones are dropped)
                    self._show(*carry)
                    continue
                gen = self._gen
                ev, epoch, clock = self.ring.pop_clocked(timeout_s=0.02)
                taken = self.ring.taken
                self._check_stall()
                self.stats.ring_fill, self.stats.ring_fill_ratio = self.ring.fill, self.ring.fill_ratio
                self.stats.dropped_events = self._dropped_events()
                if not len(ev):
                    self._done_up_to(taken)
                    if self._tail_req.is_set() and self.ring.fill == 0:  # the loop's end: see _flush_tail
                        self._emit_tail(gen)
                        self._tail_req.clear()
                        self._tail_done.set()
                        continue
                    if self._eof.is_set() and self.ring.fill == 0 and not self._stop_evt.is_set():
                        self._emit_tail(gen)
                        if self._stop_evt.is_set():  # stopped within the tail: start() shows the rest
                            break
                        if not self.stats.status.startswith("source error"):  # keep the fault on show
                            self.stats.status = "finished"
                        break
                    continue
                with self._lock:
                    if epoch != self.ring.epoch:  # popped before a seek cleared the ring: stale
                        self._done_up_to(taken)
                        continue
                    gen = self._gen
                    windows = self._new_clock(clock, int(ev["t"][0])) if clock != self._slicer_clock else []
                    windows = self._keep_up(windows + self._clocked(self.slicer.push(self._filter_events(ev, owned=True))))
                self._show(gen, windows)
                self._done_up_to(taken)
        except EvFocusError as exc:  # a plugin's fault, said in one line (the GUI shows it,
            self.stats.status = self.stats.last_fault = f"worker error: {exc}"  # headless exits 2)
            log.error("worker stopped: %s", exc)
            self._stop_evt.set()  # nothing takes the events now: the reader ends too, not paces on
        except Exception as exc:
            self.stats.status = self.stats.last_fault = f"worker error: {type(exc).__name__}: {exc}"
            log.exception("worker thread crashed")
            self._stop_evt.set()
        finally:
            self._drained.set()
            self._wake_reader()  # (an unpaced reader waiting on a worker that ended)

    def _show(self, gen: int, windows: list[Window]) -> None:
        """Turn windows into frames, the lock per window: a command waits for one window at most.
        A stop keeps the rest for the next start() (a file at speed 0 gives many at once)."""
        for i, w in enumerate(windows):
            while self._commands_waiting and not self._stop_evt.is_set():
                time.sleep(0.001)
            if self._stop_evt.is_set():
                self._carry = (gen, windows[i:])
                return
            with self._lock:
                if gen != self._gen:  # new settings, a seek or a reset: these are stale
                    return
                made = self._model_part(w)
            self._emit(None if made is None else self._post_part(made, gen))

    def _dropped_events(self) -> int:
        """Events lost on the way: the ring's overflow, events outside the sensor and what the
        source itself dropped."""
        ours = self.ring.dropped + (self.bounds.total if self.bounds is not None else 0)
        try:
            return ours + int(self.source.dropped_events)
        except Exception:  # a plugin source without the property, or one that raises
            return ours

    def _keep_up(self, windows: list[Window]) -> list[Window]:
        """The windows to show: a file at "as fast as possible" is throttled by its reader
        (_hold_back), so every window is shown; live or paced, every window of the pop too when
        the model makes them all within their span (see _model_slower), else the newest ones
        (keep up: latency stays bounded). A pop holds several windows because of the input's
        grain, not the model's: 20 ms windows at --speed 10 came 2-3 to a 50 ms part of the
        pacing (a model at 1 ms a window showed 41 of 100), and a camera's 20 ms packet holds
        four 5 ms windows (a 1 ms model showed one in four)."""
        if self._rejudge_req:
            self._rejudge_req = False
            self._rejudge_keep_up()
        made, skipped, all_windows = len(windows), 0, windows
        # a camera's model with no time yet: its first packet may hold seconds of backlog (a
        # replay's parts are short); not a loss to the keep-up watch
        unknown = self.source.is_live and self.stats.infer_ms <= 0
        if (len(windows) > self.max_backlog_windows and (self.speed > 0 or self.source.is_live)
                and (unknown or self._model_slower(windows))):
            skipped = len(windows) - self.max_backlog_windows
            self.stats.skipped_windows += skipped
            windows = windows[-self.max_backlog_windows:]
        far_slower = bool(skipped) and not unknown and self._far_slower(all_windows)
        if skipped and not unknown and not self._timed_after_warmup and len(all_windows) >= 2:
            self._warmup_loss_ms = self._span_ms(all_windows) / len(all_windows)
        elif self._warmup_loss_ms is not None and self._timed_after_warmup:
            # the loss in the warm-up's pop, judged on a window's time: a run shorter than two
            # windows of a slow model (~2.8 s at 1.4 s a window) has no other pop that loses any,
            # and skipped 25 windows without the notice
            far_slower = far_slower or self._window_ms() >= FAR_SLOWER * self._warmup_loss_ms
            self._warmup_loss_ms = None
        span_s = max(0.0, self._span_ms(all_windows) / 1e3) if all_windows else 0.0  # (<0 at a loop's wrap)
        self._see_keep_up(made, 0 if unknown else skipped, far_slower=far_slower, span_s=span_s)
        return windows

    def _far_slower(self, windows: list[Window]) -> bool:
        """Whether the model's time a window (``infer_ms`` + ``post_ms``, timed after its warm-up)
        is ``FAR_SLOWER`` times a window's span or more: one pop that lost windows then says it
        cannot keep up (at 1.4 s a window, ``BEHIND_POPS`` such pops took over 4 s: a short run
        skipped windows without a word)."""
        if not self._timed_after_warmup or len(windows) < 2:
            return False
        return self._window_ms() >= FAR_SLOWER * self._span_ms(windows) / len(windows)

    def _window_ms(self) -> float:
        """The model's time a window, as the keep-up check counts it: the model and the frame
        post-processing."""
        return self.stats.infer_ms + self.stats.post_ms

    def _model_slower(self, windows: list[Window]) -> bool:
        """Whether the model's time for ``windows`` (its last window's ``infer_ms`` + ``post_ms``
        each) is over their span in wall time. A replay is handed on in parts of a few ms of wall
        time (5 ms times the speed; the session's 2 ms), so windows shorter than a part come several
        to a pop however fast the model: 3 ms windows at 1x, at 0.7 ms a window, were said as
        "cannot keep up", and 20 ms ones at --speed 10 as "0 ms a window"."""
        return self._window_ms() * len(windows) >= self._span_ms(windows)

    def _span_ms(self, windows: list[Window]) -> float:
        """The wall time ``windows`` span as the input comes (at the replay speed)."""
        speed = 1.0 if self.source.is_live or self.speed <= 0 else self.speed
        return (windows[-1].t_us - windows[0].t_start_us) / 1e3 / speed

    def _see_keep_up(self, made: int, skipped: int, far_slower: bool = False, span_s: float = 0.0) -> None:
        """Set or clear ``stats.behind`` from one ring pop's windows (``made`` of them, ``skipped``
        to keep up, ``span_s`` of input time) and the events the full ring dropped since the last
        pop: ``BEHIND_POPS`` of the last ``BEHIND_OF`` pops that lost some set it (one,
        ``far_slower``: see ``_far_slower``), ``BEHIND_OF`` running that made windows and lost none,
        over ``KEEP_UP_AGAIN_S`` of input, clear it. A pop with no window and no loss (a window
        still filling) says nothing."""
        dropped = self.ring.dropped
        lost_events, self._ring_dropped_seen = dropped - self._ring_dropped_seen, dropped
        if not made and not lost_events and not far_slower:
            return
        st = self.stats
        if made or lost_events:
            self._pops.append((made, skipped, lost_events))
        if not skipped and not lost_events:
            if made:
                self._keeping_run += 1
                self._keeping_s += span_s
            if st.behind and self._keeping_run >= BEHIND_OF and self._keeping_s >= KEEP_UP_AGAIN_S:
                st.behind = ""
                log.debug("the model keeps up again")  # (said by whoever said it fell behind)
            if not far_slower or st.behind:  # (far_slower here: an earlier pop's loss, see _keep_up)
                return
        else:
            self._keeping_run, self._keeping_s = 0, 0.0
        if not any(k or e for _, k, e in self._pops) or (
                not far_slower and sum(1 for _, k, e in self._pops if k or e) < BEHIND_POPS):
            return
        n_made, n_skipped, n_lost = (sum(c) for c in zip(*self._pops))
        lost = [f"{n_skipped:,} of the last {n_made:,} windows skipped"] if n_skipped else []
        if n_lost:
            lost.append(f"{n_lost:,} events dropped by the full ring buffer")
        took = f"{self._window_ms():.0f} ms a window"
        if st.post_ms >= 0.5:  # (the time the check counts: post-processing too)
            took = (f"{_ms(self._window_ms())} a window (model {_ms(st.infer_ms)} + post-processing "
                    f"{_ms(st.post_ms)})")
        who = "the model" if self.compare is None else f"the two models ({self.model_cfg.name} and {self.compare.name})"
        st.behind = f"{who} cannot keep up: {took} at {self.width}x{self.height}, {' and '.join(lost)}"

    def _reset_keep_up(self) -> None:
        """Judge the keep-up afresh (``stats.behind`` cleared): a new window, model or source may
        keep up. Not at a seek or a loop's pass: the model and the input rate are the same."""
        self._rejudge_keep_up()
        self._timed_after_warmup = False

    def _rejudge_keep_up(self) -> None:
        """Forget the keep-up watch's pops and verdict; the model's timing stays (a new speed)."""
        self._pops.clear()
        self._keeping_run, self._keeping_s = 0, 0.0
        self._warmup_loss_ms = None
        self.stats.behind = ""

    def set_speed(self, speed: float) -> None:
        """Replay at ``speed`` (0: as fast as possible) from now on. A new pace is a new input
        rate: the keep-up is judged afresh (a slow model switched to "max", where nothing is
        skipped, was held "behind" for ``KEEP_UP_AGAIN_S`` of the recording: a minute or more)."""
        speed = float(speed)
        if speed != self.speed:
            self.speed = speed
            self._rejudge_req = True  # (the worker's, at its next pop: no wait here for a slow window)
            self.stats.behind = ""  # (now: a paused viewer's play said the old pace's verdict)

    def faster_settings(self) -> tuple[int | None, tuple[int, int, int, int] | None]:
        """What would let the model keep up, for ``stats.behind`` to suggest: (a ``downsample``
        the next power of two over the current one, when the model would still see
        ``MIN_SUGGESTED_PX``; a centred ``SUGGESTED_ROI_WH`` ROI of the sensor, when there is none
        and the sensor is over twice that size), each None where it does not apply. The front
        ends word them (``--downsample`` or the Window group's box)."""
        w, h = self._source_wh
        # (the next power of two: twice --downsample 3 was 6, which the viewer's box does not hold)
        n = 1 << int(self.window_cfg.downsample).bit_length()
        nw, nh = model_size(w, h, self.window_cfg.roi, n)
        down = n if n <= 8 and nw * nh >= MIN_SUGGESTED_PX else None
        rw, rh = SUGGESTED_ROI_WH
        roi = None
        if self.window_cfg.roi is None and w * h > 2 * rw * rh and w >= rw and h >= rh:
            roi = ((w - rw) // 2, (h - rh) // 2, rw, rh)
        return down, roi

    def _emit_tail(self, gen: int) -> None:
        """The slicer's last windows as frames (a recording's end, or a loop pass's): the partial
        one, or for given timestamps every one not reached (all of them at speed 0)."""
        with self._lock:
            windows = self._keep_up(self._clocked(self._end_tail(self.slicer.flush()))) if gen == self._gen else []
        self._show(gen, windows)

    def _new_clock(self, clock: int, t_us: int) -> list[Window]:
        """A live camera's new clock (``FrameResult.clock``), its first event at ``t_us``: the old
        one's windows end here, the open one at its last event, and the new one's start at its
        first (the slicer's ``new_clock``; given times keep one clock, as the slicer does)."""
        windows = []
        if getattr(self.slicer, "restarts", True):
            new = getattr(self.slicer, "new_clock", None)  # (a plugin's slicer: its flush)
            windows = self._clocked(new(t_us) if new is not None else self.slicer.flush())
        self._slicer_clock = clock
        return windows

    def _clocked(self, windows: list[Window]) -> list[Window]:
        """``windows`` (of the slicer) marked with the clock their events are on (see
        ``FrameResult.clock``): a source without clocks keeps them as they are."""
        c = self._slicer_clock
        return [dataclasses.replace(w, clock=c) for w in windows] if c else windows

    def _end_tail(self, windows: list[Window]) -> list[Window]:
        """The recording's last, partial duration or adaptive window ends 1 µs after the last
        event read (its events are all before it, as in every window): a full window length
        on, its frame was stamped past the recording's end, at a time no event reached (the
        9 ms EVT3 file's one 33 ms window: 24 ms past it). The source's last event, not the
        window's: an ROI or filter keeps the times of the whole sensor's run. Given times
        (``--at``) and event-count windows (their last event already) are kept."""
        t = self._t_read_us
        if t is None or not windows or not isinstance(self.slicer, (DurationSlicer, AdaptiveSlicer)):
            return windows
        w = windows[-1]
        end = max(w.t_start_us + 1, t + 1)
        return windows[:-1] + [dataclasses.replace(w, t_us=end)] if end < w.t_us else windows

    def _emit(self, fr: FrameResult | None) -> None:
        if fr is None:
            return
        self.latest = fr
        if self._on_frame is not None:
            self._in_callback = True
            try:
                self._on_frame(fr)
            except Exception as exc:
                self._callback_failed(fr, exc)
            finally:
                self._in_callback = False

    def _callback_failed(self, fr: FrameResult, exc: Exception) -> None:
        """A raising ``on_frame``: its traceback once a run, then a counted line every 10 s (a
        script's bug printed its traceback for every frame, 30 a second); the run goes on."""
        self.stats.callback_errors += 1
        if not self._callback_said:
            self._callback_said = True
            log.error("on_frame callback raised at frame %d (the run goes on; later failures are "
                      "counted in stats.callback_errors)", fr.index, exc_info=exc)
        else:
            self._callback_log.warning("on_frame", "on_frame callback raised again at frame %d: %s (%d frames so far)",
                                      fr.index, first_line(exc), self.stats.callback_errors)
