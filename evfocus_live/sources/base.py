"""The one small interface every event source implements.

A source yields batches of :data:`evfocus_live.events.EVENT_DTYPE`, sorted by time
within the source's documented policy. Files can ``seek``; live cameras cannot.
Vendor SDKs are imported inside each backend module only.
"""

from __future__ import annotations

import abc
import contextlib
import contextvars
import functools
import inspect
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from ..errors import EvFocusError, InputError, first_line
from ..resources import Closeable

log = logging.getLogger(__name__)

#: largest plausible sensor side in pixels (today's event sensors have <= 1280): a corrupt
#: header claiming more would otherwise pass and make a huge allocation much later
MAX_SENSOR_SIDE = 16384


def check_sensor_size(path, width, height, where: str = "in the header") -> tuple[int, int]:
    """``(width, height)`` as ints; :class:`InputError` naming ``path`` unless both are in
    ``1..MAX_SENSOR_SIDE``. ``where`` says where the size came from."""
    w, h = int(width), int(height)
    if where.startswith("inferred") and min(w, h) <= 0:
        # (max + 1 of a column with no usable value: "invalid sensor size 0x1" said nothing useful)
        which = "x" if w <= 0 else "y"
        raise InputError(f"{path}: no {which} value in the file is a pixel coordinate (all NaN, inf or "
                         f"negative?): the {which} column does not hold events")
    if not (0 < w <= MAX_SENSOR_SIDE and 0 < h <= MAX_SENSOR_SIDE):
        raise InputError(f"{path}: invalid sensor size {w}x{h} {where} "
                         f"(implausible; max {MAX_SENSOR_SIDE} per side)")
    return w, h


def gap_to(span: tuple[int, int], t_us: int) -> int:
    """How far ``t_us`` is from the time span ``(first, last)`` (0 inside it): the nearest clock of
    a file whose sensor clock was reset, for a time between its clocks."""
    return max(span[0] - t_us, t_us - span[1], 0)


def seek_clock(spans: Sequence[tuple[int, int]], t_us: int, on: int) -> int | None:
    """Which clock a seek to ``t_us`` goes to in a file whose sensor clock was reset: ``spans``
    are its clocks' ``(first, last)`` t_us in file order, ``on`` the one the reader is on. The
    clocks share one time line, so a time may be on several or on none: the clock being played
    when it holds ``t_us``, else the first that does, else (a time between clocks: the viewer's
    slider spans all their times on one axis) the nearest. None, for the plain search (the
    first place the file reaches ``t_us``): one clock, a time at or before the earliest (the
    file's start: a loop's seek) or after every clock. One rule for every reader with clocks
    (RAW, AEDAT4), so the slider behaves the same on each."""
    if len(spans) < 2 or t_us <= min(a for a, _ in spans) or t_us > max(b for _, b in spans):
        return None
    order = [on] + [c for c in range(len(spans)) if c != on] if 0 <= on < len(spans) else range(len(spans))
    held = next((c for c in order if gap_to(spans[c], t_us) == 0), None)
    return held if held is not None else min(order, key=lambda c: gap_to(spans[c], t_us))


def say_clock_reset(said: set[int], name: str, byte: int, back_us: int, how: str) -> None:
    """A file's sensor clock reset met while reading (time back over a second, then stepping on:
    a camera reset or re-synchronised): one warning, said once per reset (``said``: the bytes said,
    replays of a loop included) and in one wording for every reader with clocks (RAW, AEDAT4), so
    the viewer's status bar (a reader-thread warning: ``pipeline.SourceWarnings``) says it alike.
    ``byte`` is where the new clock begins (``clocks()``'s), ``back_us`` the time it goes back by,
    ``how`` what in the format shows it is a clock, not damage."""
    if byte in said:
        return
    said.add(byte)
    log.warning("%s: the sensor clock goes back by %.3f s at byte %d (a camera reset or re-synchronised; "
                "%s): decoding goes on, the events after it on the new clock", name, back_us / 1e6, byte, how)


#: the readers' loggers: ``evfocus_live.sources`` and those under it
READERS_LOGGER = "evfocus_live.sources"
#: the ``drop`` tests of the readers_quiet() blocks the running code is in: a context variable,
#: so each thread has its own, and work a reader hands to its threads for the caller
#: (:func:`run_in_callers_context`: AEDAT4's and HDF5's prefetch) carries the caller's
_QUIET_DROPS: contextvars.ContextVar[tuple[Callable[[logging.LogRecord], bool], ...]] = contextvars.ContextVar(
    "evfocus_readers_quiet", default=())


def run_in_callers_context(submit, fn, *args):
    """``submit(fn, *args)`` (an executor's), ``fn`` run in a copy of the calling thread's
    context: a reader's pool threads decode for whoever asked, so a :func:`readers_quiet`
    read's warnings made there are held back too, and another caller's are not."""
    return submit(contextvars.copy_context().run, fn, *args)


class _ReadersQuiet(logging.Filter):
    """Drops a reader's record below ERROR made inside :func:`readers_quiet` (its thread, or
    work handed on through :func:`run_in_callers_context`) that one of its ``drop`` tests picks."""

    def filter(self, record: logging.LogRecord) -> bool:
        drops = _QUIET_DROPS.get()
        if (not drops or record.levelno >= logging.ERROR
                or not (record.name == READERS_LOGGER or record.name.startswith(READERS_LOGGER + "."))):
            return True
        return not any(drop(record) for drop in drops)


def _every_record(record: logging.LogRecord) -> bool:
    return True


_READERS_QUIET = _ReadersQuiet()


def held_back(logger: logging.Logger, level: int, msg: str, *args) -> bool:
    """Whether ``logger.log(level, msg, *args)`` made here would be held back by a
    :func:`readers_quiet` block: a warning said once per file must not count as said then
    (the read after the block, whose warnings go through, says it)."""
    if not _QUIET_DROPS.get():
        return False
    return not _READERS_QUIET.filter(logger.makeRecord(logger.name, level, "", 0, msg, args, None))


@contextlib.contextmanager
def readers_quiet(drop: Callable[[logging.LogRecord], bool] | None = None):
    """The readers' warnings (``evfocus_live.sources``) made on this thread, and on the threads a
    reader hands this read's work to (prefetch), held back, their errors said: for a read whose
    warnings another read says (eval's APS frames for its grid, ``reconstruct``'s checks of its
    inputs before the run). ``drop``: only the records it picks (``info``: the "may be
    nanoseconds" hint it says itself); default every one. A filter on the handlers, which runs on the thread that logs: a
    logger level set for a while (as before) is the whole process's, and lost the warnings
    another thread's reader logged meanwhile (a viewer's reader thread). Handlers added inside
    are not filtered. Work a prefetcher queued ahead inside stays quiet when a read after the
    block takes it: give a quiet read a source of its own (as both callers do)."""
    lg = logging.getLogger(READERS_LOGGER)
    handlers = []
    while lg is not None:
        handlers += lg.handlers
        lg = lg.parent if lg.propagate else None
    for h in handlers or [logging.lastResort]:
        if h is not None:
            h.addFilter(_READERS_QUIET)  # (once: it stays, and passes every other thread's records)
    token = _QUIET_DROPS.set((*_QUIET_DROPS.get(), drop or _every_record))
    try:
        yield
    finally:
        _QUIET_DROPS.reset(token)


@dataclass(frozen=True)
class SourceInfo:
    """What ``evfocus info`` and the viewer show about a source."""

    format: str
    sensor: str
    width: int
    height: int
    is_live: bool


#: a plugin's batch with ``t`` going back (:meth:`EventSource._say_plugin_order`); ``evfocus info``
#: holds it back: it counts the steps back over the whole file itself
PLUGIN_ORDER_WARNING = ("source %r (%s:%s): read() returned events out of time order (t goes back %d times in a "
                        "batch of %d); sort each batch by t (np.argsort(batch['t'], kind='stable')): the frames mix "
                        "those times")


class EventSource(Closeable, abc.ABC):
    """Base class of every event source (file, camera, simulator, plugin).

    Subclasses set ``format``, ``sensor``, ``width``, ``height`` and implement
    :meth:`read`. File sources also implement :meth:`seek` and :meth:`time_range_us`.

    Example::

        with open_source("rec.aedat4") as src:
            for batch in src:          # numpy arrays of EVENT_DTYPE
                ...
    """

    #: format name as shown by ``evfocus info`` ("aedat4", "evt3", "sim", ...)
    format: str = "unknown"
    sensor: str = "unknown"
    width: int = 0
    height: int = 0
    #: the size is max x/y + 1 of the data (the file gives none): too small where the scene
    #: leaves the sensor's edges dark, so ``evfocus info`` says so
    size_inferred: bool = False
    #: events whose x/y lay far beyond the others' and were set aside as corrupt while the size
    #: was inferred (``npy_file.columns_max``): then the size is not the max of *all* events
    size_strays: int = 0
    is_live: ClassVar[bool] = False

    @property
    def t_unit_in_file(self) -> str:
        """``"us"``, or the unit a file reader converted its ``t`` column from: ``"s"`` (float
        seconds) or ``"ns"`` (epoch nanoseconds). The readers warn once; ``evfocus info`` keeps it
        in its JSON, where a converted file looked like any other (the .npy/.h5/.npz/text readers
        decide it at opening, the text reader's float rule at its first read)."""
        return "ns" if getattr(self, "_ns", False) else "s" if getattr(self, "_seconds", False) else "us"

    @property
    def t_maybe_ns(self) -> bool:
        """Whole-number ``t`` read as µs that the reader said may be nanoseconds from 0 (every one
        sampled a multiple of 1000: ``npy_file.hint_maybe_relative_ns``); ``evfocus info`` gives it
        as ``t_maybe_ns`` and in its one ``units`` line, where the JSON said false beside that warning."""
        return bool(getattr(self, "_maybe_ns", False))

    def __init_subclass__(cls, **kwargs):
        """Every ``close()`` (a plugin's too) marks the source :attr:`closed`: a closed source
        reads like one at its end, so a pipeline given one made no frame and said nothing."""
        super().__init_subclass__(**kwargs)
        inner = cls.__dict__.get("close")
        if inner is not None and not getattr(inner, "_marks_closed", False):
            @functools.wraps(inner)
            def close(self, *args, **kw):
                try:
                    return inner(self, *args, **kw)
                finally:
                    self._closed = True

            close._marks_closed = True
            cls.close = close

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called: it reads nothing more."""
        return getattr(self, "_closed", False)

    @closed.setter
    def closed(self, value: bool) -> None:  # (a subclass may keep the flag itself)
        self._closed = bool(value)

    def check_open(self) -> None:
        """:class:`InputError` when the source was closed (its reads would end at once)."""
        if self.closed:
            raise InputError(f"the {self.format} source is closed (it reads nothing more): open it again")

    # --- file sources: content sniffing for format detection -----------------
    #: file extensions (lower case, with dot) this backend claims
    extensions: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def sniff(cls, head: bytes, path: Path) -> bool:
        """True when the first bytes of ``path`` look like this backend's format."""
        return False

    @classmethod
    def content_format(cls, head: bytes, path: Path) -> str | None:
        """The format name when one backend reads several (RAW: "evt2"/"evt3"); None = the registry name."""
        return None

    # --- the interface --------------------------------------------------------
    @property
    def resolution(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return (self.width, self.height)

    @property
    def info(self) -> SourceInfo:
        return SourceInfo(self.format, self.sensor, self.width, self.height, self.is_live)

    @abc.abstractmethod
    def read(self) -> np.ndarray | None:
        """The next batch of events; ``None`` at end of stream.

        Live sources return an empty array when nothing arrived within a short,
        bounded wait, so callers can poll without hanging.
        """

    def seek(self, t_us: int) -> None:
        """Continue reading from the first event with ``t >= t_us`` (files only)."""
        raise NotImplementedError(f"{self.format} source cannot seek")

    @property
    def can_seek(self) -> bool:
        """Whether :meth:`seek` works: a file whose class implements it (a plugin's may not)."""
        return not self.is_live and type(self).seek is not EventSource.seek

    def time_range_us(self) -> tuple[int, int] | None:
        """(first, last) timestamp in µs for files, ``None`` for live sources."""
        return None

    def aps_frames(self, limit: int | None = None) -> Sequence[tuple[int, np.ndarray]]:
        """Grey-level (APS) frames the sensor took beside its events (a DAVIS), as
        ``(t_us, HxW uint8)`` sorted by time, on the events' clock; empty (this default) for
        sources without them, so other backends and plugins need nothing.

        The pipeline calls this for every window (it attaches the last frame at or before
        the window's end), so it must answer from memory: a file reads its frames once, a
        camera keeps the last few it received. The viewer makes a file's first call from a
        thread of its own (the read may take seconds), beside ``read()``; a source that can
        say it has frames without reading them gives a ``has_aps`` attribute, so the
        viewer's APS toggle is offered while they load. ``limit`` (None: all): the first
        ``limit`` frames only, so a caller that wants a few (``evfocus eval``) need not make
        a file read them all; callers of a plugin's source must not count on it being taken."""
        return ()

    def aps_region(self, t_us: int) -> tuple[int, int, int, int] | None:
        """``(x, y, w, h)``: the part of the sensor the APS frame at ``t_us`` (one
        :meth:`aps_frames` gave) was exposed on, where it is less than the sensor (DV's APS
        region of interest, placed in a sensor-sized frame); None (this default): all of it.
        ``evfocus eval`` scores a reconstruction against that part only."""
        return None

    @property
    def dropped_events(self) -> int:
        """Events the source itself had to drop (a driver queue or a simulator buffer that
        overflowed): counted with the ring buffer's drops, so no loss goes unseen."""
        return 0

    def close(self) -> None:
        """Release files, devices and threads; safe to call twice."""
        self._closed = True

    def __iter__(self) -> Iterator[np.ndarray]:
        from ..plugins import check_events

        self.check_open()  # (a closed source was iterated as an empty one: 0 events, no word)
        while (batch := check_events(self.read_named(), self.format)) is not None:
            if len(batch):
                yield batch

    def read_named(self):
        """:meth:`read`, through :meth:`_plugin_read` for a plugin's source: what every caller
        of a source's ``read()`` uses (the pipeline's reader, the viewer's tap, iteration), so a
        plugin's fault is one line naming it wherever it is read."""
        return self.read() if type(self).__module__.startswith("evfocus_live.") else self._plugin_read()

    def _plugin_read(self):
        """A plugin's ``read()``, whatever it raises as one line naming it (README "Plugins"):
        a parser's ValueError was a traceback out of ``evfocus info``. A batch whose ``t``
        decreases is said once (see :meth:`_say_plugin_order`)."""
        try:
            batch = self.read(*_read_args(type(self)))
        except EvFocusError:
            raise
        except Exception as exc:
            raise InputError(f"source {self.format!r} ({type(self).__module__}:{type(self).__qualname__}): "
                             f"read() failed: {type(exc).__name__}: {first_line(exc, '')}".rstrip(": ")) from exc
        if batch is None and self.is_live and not self.closed and not getattr(self, "_end_said", False):
            # (a camera that returned None for "nothing yet" ended the viewer's stream in 0.1 s
            # and the headless run with rc 0, without a word)
            self._end_said = True
            log.warning("camera %r (%s:%s): read() returned None, the end of its stream: no more frames (a camera "
                        "with nothing new returns an empty array, evfocus_live.events.empty())", self.format,
                        type(self).__module__, type(self).__qualname__)
        self._say_plugin_order(batch)
        return batch

    def _say_plugin_order(self, batch) -> None:
        """One warning per source when a plugin's batch has ``t`` going back (README asks for
        t not decreasing): the windows took such events in silence (up to a window late, the
        count-based ones at any lateness), so a lab camera's swapped packets gave blurred frames
        with no word. Within a batch only: a step back between batches may be a clock restart,
        which the windows say themselves."""
        if getattr(self, "_order_said", False) or not isinstance(batch, np.ndarray) or batch.ndim != 1:
            return
        if not batch.dtype.names or "t" not in batch.dtype.names or len(batch) < 2:
            return
        t = batch["t"]
        back = int(np.count_nonzero(t[1:] < t[:-1]))
        if back:
            self._order_said = True
            log.warning(PLUGIN_ORDER_WARNING, self.format, type(self).__module__, type(self).__qualname__, back,
                        len(batch))


#: what a plugin's ``read(max_events)`` is given (a source written from a tonic-style protocol,
#: as docs/STYLE.md shows it, failed with "missing 1 required positional argument")
PLUGIN_READ_MAX_EVENTS = 1_000_000


@functools.lru_cache(maxsize=None)
def _read_args(cls: type) -> tuple:
    """The arguments for ``cls.read``: ``(PLUGIN_READ_MAX_EVENTS,)`` when it requires one
    positional parameter (``read(self, max_events)``), else none."""
    try:
        params = list(inspect.signature(cls.read).parameters.values())[1:]  # (self left out)
    except (TypeError, ValueError):
        return ()
    required = [p for p in params if p.default is p.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return (PLUGIN_READ_MAX_EVENTS,) if len(required) == 1 else ()


def read_named(source) -> np.ndarray | None:
    """``source.read()``, a plugin's fault as one line naming it (:meth:`EventSource.read_named`);
    a source that is no :class:`EventSource` is read as it is."""
    fn = getattr(source, "read_named", None)
    return fn() if fn is not None else source.read()
