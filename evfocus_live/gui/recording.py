"""Recording while running: raw events to .aedat4 and reconstructed frames to .mp4.

Qt-free so the headless mode uses the same code. Writes come from the worker thread
(events as they are read, frames as they are reconstructed); start/stop come from the
GUI thread, hence one lock. ``close()`` always finalises both files, also after an
error, so a recording is never left unreadable.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from ..core.render import pad_even
from ..core.slicing import RESTART_BACK_US
from ..errors import EvFocusError
from ..writers.base import unlink_old_file

log = logging.getLogger(__name__)

#: a step back in event time larger than this is a replay's jump (loop, seek), not jitter
JUMP_BACK_US = 1_000
#: a live camera that gave nothing for this long was away: a step back of its clock after such
#: a silence is a restart (opened again, reset), whatever its size; one while it streams on is
#: one only over ``RESTART_BACK_US`` (the slicer's rule), else its events are late events. The
#: silence is the time its reads waited for events (``waited_s``), where the caller knows it: the
#: wall time between two batches also counts a reader held up elsewhere while the camera streamed
SILENCE_S = 0.1
#: the source's batches are gathered into packets of this much sensor time (or
#: ``PACKET_EVENTS``) before they are written, as dv writes ~10 ms packets: the viewer reads
#: every 2-5 ms, and a packet per batch made an hour's recording ~1 M packets, each with its
#: header and an entry in the index the writer keeps in memory. A killed viewer loses at most this
PACKET_US = 10_000
PACKET_EVENTS = 1 << 16
#: a recording stops (its files finalised and kept) once its disk has less than this free: a
#: looped DAVIS replay at 1x writes ~4.3 MB/s, so a day's recording filled the disk and the
#: file's last packets, index and footer were never written. In MB, as said (256 MiB read '268 MB')
MIN_FREE_BYTES = 256 * 10**6
#: how often the free space is looked at while recording (one statvfs: cheap)
DISK_CHECK_S = 5.0


def _free_bytes(path: Path) -> int | None:
    """Free bytes on the disk ``path`` (or its nearest existing parent) is on; None if unknown."""
    for folder in (path, *path.parents):
        if folder.exists():
            try:
                return shutil.disk_usage(folder).free
            except OSError:
                return None
    return None


def disk_low(folders, min_free_bytes: int, stops: str = "a recording") -> str | None:
    """"only N MB free on F (``stops`` stops under M MB)" when a disk of ``folders`` has less
    than ``min_free_bytes`` free (the rule of the recorder and of headless ``--frames-dir``)."""
    for folder in folders:
        free = _free_bytes(Path(folder))
        if free is not None and free < min_free_bytes:
            return (f"only {free / 1e6:.0f} MB free on the disk of {folder} "
                    f"({stops} stops under {min_free_bytes / 1e6:.0f} MB)")
    return None


class DiskWatch:
    """The free-space rule of a writer that runs on (the recorder, headless ``--frames-dir``):
    :meth:`due` once every ``check_s`` (a statvfs each write was wasted), :meth:`low` says why
    the writing must stop (:func:`disk_low`). One timer for both: they kept a copy each."""

    def __init__(self, stops: str = "a recording", min_free_bytes: int | None = None,
                 check_s: float | None = None, clock_s: Callable[[], float] = time.monotonic):
        self.stops = stops
        self.min_free_bytes = MIN_FREE_BYTES if min_free_bytes is None else min_free_bytes  # (None: the module's, read now)
        self.check_s = DISK_CHECK_S if check_s is None else check_s
        self._clock_s = clock_s
        self._checked_s: float | None = None  # (None: never looked at: due at once)

    def due(self) -> bool:
        """True (and the time taken as looked at) when ``check_s`` has passed since the last look."""
        now = self._clock_s()
        if self._checked_s is not None and now - self._checked_s < self.check_s:
            return False
        self._checked_s = now
        return True

    def low(self, folders) -> str | None:
        """Look now: :func:`disk_low`'s line for ``folders``, None while there is room."""
        self._checked_s = self._clock_s()
        return disk_low(folders, self.min_free_bytes, self.stops)

    def low_when_due(self, folders) -> str | None:
        """:meth:`low` once every ``check_s``; None in between."""
        return self.low(folders) if self.due() else None


def letterbox(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``frame`` scaled to fit ``size`` (w, h) with its aspect ratio kept, centred on black: a
    346x260 ROI in a 1280x720 video was stretched to 16:9."""
    w, h = size
    fh, fw = frame.shape[:2]
    scale = min(w / fw, h / fh)
    nw, nh = max(1, min(w, round(fw * scale))), max(1, min(h, round(fh * scale)))
    small = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    out = np.zeros((h, w) + frame.shape[2:], frame.dtype)
    y, x = (h - nh) // 2, (w - nw) // 2
    out[y:y + nh, x:x + nw] = small
    return out


class VideoSink:
    """Greyscale uint8 frames -> .mp4 (mp4v), opened lazily at the first frame's size.

    Frames given with their event time ``t_us`` are resampled to the file's constant
    ``fps`` (repeated or dropped), so the video plays at the recording's real pace whatever
    the windowing (a fixed event count gives a frame rate that follows the scene). A jump
    back in time (seek, loop) or a gap longer than ``max_gap_s`` re-anchors the clock.
    """

    def __init__(self, path: str | Path, fps: float = 30.0, max_gap_s: float = 2.0):
        self.path = Path(path)
        self.fps = float(fps)
        self.max_repeat = max(1, int(round(max_gap_s * self.fps)))
        self._vw: cv2.VideoWriter | None = None
        self._size: tuple[int, int] | None = None
        self._t0_us: float | None = None
        self._t_last_us: int | None = None
        self.frames = 0

    @property
    def t_last_us(self) -> int | None:
        """Event time of the last frame given (written or not), None before the first."""
        return self._t_last_us

    def _copies(self, t_us: int | None) -> int:
        """How many times to write the frame at ``t_us`` to keep the constant rate."""
        if t_us is None:
            return 1
        us_per_frame = 1e6 / self.fps
        if self._t0_us is None or self._t_last_us is None or t_us < self._t_last_us:
            self._t0_us = t_us - self.frames * us_per_frame
        self._t_last_us = t_us
        n = int((t_us - self._t0_us) // us_per_frame) + 1 - self.frames
        if n > self.max_repeat:
            n = self.max_repeat
            self._t0_us = t_us - (self.frames + n - 1) * us_per_frame
        return max(0, n)

    def write(self, frame: np.ndarray, t_us: int | None = None) -> None:
        frame = np.ascontiguousarray(frame, dtype=np.uint8)
        if frame.ndim == 3 and frame.shape[2] == 1:
            frame = frame[:, :, 0]
        h, w = frame.shape[:2]
        if self._vw is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            unlink_old_file(self.path)  # a player of the old file keeps it (OpenCV truncates in place)
            # padded to even sides, as each frame is (core.render.pad_even)
            self._vw = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps,
                                       (w + w % 2, h + h % 2), True)
            if not self._vw.isOpened():
                self._vw = None
                raise EvFocusError(f"{self.path}: cannot open video writer")
            self._size = (w, h)
        if (w, h) != self._size:  # a source, ROI or downsample change mid-recording: the file's size
            frame = letterbox(frame, self._size)
        bgr = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR) if frame.ndim == 2 else frame
        bgr = pad_even(bgr)
        for _ in range(self._copies(t_us)):
            self._vw.write(bgr)
            self.frames += 1

    def close(self) -> None:
        if self._vw is not None:
            self._vw.release()
            self._vw = None


def _open_aedat4(path: Path, width: int, height: int, sensor: str):
    try:
        from ..writers.aedat4 import Aedat4Writer
    except ImportError as exc:
        raise EvFocusError(f"raw event recording unavailable: {exc}") from None
    return Aedat4Writer(path, width, height, sensor=sensor)


#: clocks (one a jump back) a :class:`ClockShift` no frame asks (the recorder's) keeps; one that
#: frames ask (``frames=True``) keeps every clock from the last frame's on, however far behind
CLOCKS_KEPT = 16


class ClockShift:
    """Event times that keep going forward when the source's clock jumps back, shared by the
    recording and ``--frames-dir`` (frames and recorded events on one clock).

    A replay's jump back (a loop pass, a seek) is written on 1 µs after the last event instead
    of restarting the clock, which readers would take for one endless window. A live camera's
    clock that restarts (opened again after a USB drop, reset) is written on after the wall time
    between the two batches (``wall_s``): closed to 1 µs, a replay showed no gap and the
    recording's length was short by the time the camera was away. Small steps back (a sensor's
    nearly sorted stream) are kept as they are, and so is a live camera's step back of up to
    ``RESTART_BACK_US`` while it streams on (no restart signalled, see :meth:`restarted`, and no
    silence of ``SILENCE_S``): out-of-order times, passed through as the readers do, which the
    slicer puts in the open window (taken for a clock change, it closed that window early).
    Batches are placed from one thread (the reader's)
    and frames from one other (the worker's): :meth:`frame_time_us` takes the shift of the clock
    their window's events were on, carried with them by number, not the newest (the worker lags
    the reader by its ring). With ``frames=True`` every clock from the last frame's on is kept (a
    worker any number of restarts behind gets its own clock's shift; one int a clock, as the ring
    keeps a mark a clock); else (the recorder's) the newest ``CLOCKS_KEPT``.
    """

    def __init__(self, say: bool = True, frames: bool = False):
        self.say = say  # (log a jump back: the recording's does; the frames' beside it need not)
        self.frames = frames
        self._restarted = False  # (see restarted)
        self.shift_us = 0                  # added to event times after a jump back ...
        self.t_last_us: int | None = None  # ... past the last time placed
        self.n_at_last = 0                 # events placed at ``t_last_us`` (equal times)
        self._wall_last_s: float | None = None  # (monotonic s) when the last live batch came
        self._batch_max_us = 0  # the newest time of the batch last taken in, shifted
        #: the newest clock's number (0 first, one more at each jump back): the pipeline carries
        #: it from each batch to the frames of its windows (``FrameResult.clock``)
        self.clock = 0
        #: one a clock, from number ``_first_clock`` on: its shift
        self._clocks: list[int] = [0]
        self._first_clock = 0
        self._lock = threading.Lock()
        self._frame_clock = 0  # (index in _clocks) the last frame's clock

    def place(self, events: np.ndarray, wall_s: float | None = None,
              waited_s: float | None = None) -> np.ndarray:
        """``events`` (not empty) on the carried clock (a copy when shifted); ``wall_s``: when a
        live source's batch arrived (``time.monotonic()``), None for a replay's; ``waited_s``: how
        long its reads waited for events since its last batch (None: not known, the wall time
        between the two batches is taken for it)."""
        before = self.t_last_us
        if self.advance(events, wall_s, waited_s):
            events = events.copy()
            events["t"] += self.shift_us
        last = self._batch_max_us  # (advance's pass over the batch: not a second one)
        if before is None or last > before:
            self.n_at_last = int(np.count_nonzero(events["t"] == last))
        elif last == before:
            self.n_at_last += int(np.count_nonzero(events["t"] == last))
        return events

    def advance(self, events: np.ndarray, wall_s: float | None = None, waited_s: float | None = None) -> int:
        """Take in ``events`` (not empty) as :meth:`place` does, without shifting them; returns
        the shift for them."""
        t_max = int(events["t"].max())
        t0 = int(events["t"][0]) + self.shift_us
        restarted, self._restarted = self._restarted, False
        if self.t_last_us is not None and t0 < self.t_last_us - JUMP_BACK_US and (
                wall_s is None or restarted or t0 < self.t_last_us - RESTART_BACK_US
                or self._wall_last_s is None
                or (wall_s - self._wall_last_s if waited_s is None else waited_s) >= SILENCE_S):
            shift = self.t_last_us + 1 - t0
            if wall_s is not None and self._wall_last_s is not None:  # (each batch stamped at its newest event)
                away_us = int((wall_s - self._wall_last_s) * 1e6)
                shift = max(shift, self.t_last_us + away_us - (t_max + self.shift_us))
            if self.say:
                (log.debug if self.shift_us else log.info)(
                    "recording: the event time jumped back (a replay's loop or seek, a camera opened again "
                    "with its clock from 0); its events are written on from %d µs", t0 + shift)
            self.shift_us += shift
            with self._lock:
                self.clock += 1
                self._clocks.append(self.shift_us)
                # (those before the last frame's are done with; past CLOCKS_KEPT, a clock no frame
                # asked for: the recorder's, a looping replay's passes, grew it for hours)
                drop = self._frame_clock if self.frames else max(self._frame_clock, len(self._clocks) - CLOCKS_KEPT)
                if drop:
                    del self._clocks[:drop]
                    self._first_clock += drop
                    self._frame_clock = max(0, self._frame_clock - drop)
        if wall_s is not None:
            self._wall_last_s = wall_s
        self._batch_max_us = t_max + self.shift_us
        if self.t_last_us is None or self._batch_max_us > self.t_last_us:
            self.t_last_us = self._batch_max_us
        return self.shift_us

    def restarted(self) -> None:
        """The live source was opened again (a reconnect): a step back of the next batch is a
        new clock, however small and however soon it comes."""
        self._restarted = True

    def frame_time_us(self, t_us: int, clock: int) -> int:
        """A frame's time ``t_us`` (the source's clock) on the carried clock: with the shift of
        ``clock``, the number :attr:`clock` had when its window's events were placed. By number,
        not by time: a clock that made no frame (a camera lost again at once) and whose newest
        event the next frame had not passed gave that frame its shift (out of order)."""
        with self._lock:
            k = min(max(0, int(clock) - self._first_clock), len(self._clocks) - 1)
            if k and self.frames:  # (the frames come in order: those before are done with)
                del self._clocks[:k]
                self._first_clock += k
                k = 0
            self._frame_clock = k
            return t_us + self._clocks[k]


class Recorder:
    """Records raw events (.aedat4) and/or reconstructed frames (.mp4) while running.

    Example::

        rec = Recorder()
        rec.start(events_path="run.aedat4", video_path="run.mp4", width=346, height=260)
        rec.write_events(batch)      # worker thread
        rec.write_frame(img_uint8, t_us)  # worker thread
        rec.stop()                   # finalises both files
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._events = None
        self._video: VideoSink | None = None
        self.events_path: Path | None = None
        self.video_path: Path | None = None
        self.video_fps = 30.0  # the video's constant rate (frames repeated or dropped to keep the pace)
        self.n_events = 0
        #: events left out of this recording for lying outside its width x height (see write_events)
        self.outside_events = 0
        self._last_frames = 0
        self.error: str | None = None
        self.t_start = 0.0
        #: the event times written: carried on over a jump back (see :class:`ClockShift`)
        self._clock = ClockShift()
        #: a remake reads again (see ``source_sought``): (source t_us, events at it) written already
        self._reread: tuple[int, int] | None = None
        self._frame_reread_us: int | None = None  # ... and the last frame's t_us in the video
        self._pending: list[np.ndarray] = []  # batches not written yet (see PACKET_US)
        self._pending_n = 0
        #: after ``stop``: the video asked for that got no frame, so was not made (else None)
        self.video_unmade: Path | None = None
        #: the disk's free-space rule (``disk.min_free_bytes``, looked at every ``disk.check_s``)
        self.disk = DiskWatch()

    @property
    def active(self) -> bool:
        return self._events is not None or self._video is not None

    #: ``disk``'s knobs under their old names
    min_free_bytes = property(lambda self: self.disk.min_free_bytes,
                              lambda self, value: setattr(self.disk, "min_free_bytes", value))
    disk_check_s = property(lambda self: self.disk.check_s, lambda self, value: setattr(self.disk, "check_s", value))

    @property
    def records_events(self) -> bool:
        """Events are being recorded: a camera's first batch, still being read, has a file to
        reach (a video alone gets no frame from it once stopped)."""
        return self._events is not None

    def start(self, *, events_path: str | Path | None = None, video_path: str | Path | None = None,
              width: int = 0, height: int = 0, sensor: str = "evfocus-live", fps: float = 30.0,
              overwrite: bool = False) -> None:
        """Open the requested outputs; raises EvFocusError (nothing left open) on failure.

        An existing file is replaced only with ``overwrite=True`` (a path the user named,
        e.g. ``--record``/``--video``); otherwise the start is refused *before* anything is
        touched, so a running recording goes on. Callers that make up names (the Record
        button) pick a free one, see :func:`free_stem`.
        """
        if not overwrite:
            taken = [str(p) for p in (events_path, video_path) if p is not None and Path(p).exists()]
            if taken:
                raise EvFocusError(f"{', '.join(taken)}: already exists, not overwritten")
        folders = {Path(p).parent for p in (events_path, video_path) if p is not None}
        low = self.disk.low(folders)
        if low is not None:  # (before the stop: a running recording goes on)
            raise EvFocusError(f"cannot record: {low}")
        self.stop()
        with self._lock:
            self.error = None
            self.n_events = self.outside_events = 0
            self._last_frames = 0
            self._clock = ClockShift()
            self._reread = self._frame_reread_us = None
            self._pending, self._pending_n = [], 0
            self.t_start = time.monotonic()
            self.disk.due()  # (looked at just now: the next look in disk.check_s)
            try:
                if events_path is not None:
                    self.events_path = Path(events_path)
                    self.events_path.parent.mkdir(parents=True, exist_ok=True)
                    self._events = _open_aedat4(self.events_path, width, height, sensor)
                if video_path is not None:
                    self.video_path = Path(video_path)
                    self.video_fps = float(fps)
                    self._video = VideoSink(self.video_path, fps=fps)
            except Exception as exc:
                self._close_locked()
                if isinstance(exc, EvFocusError):
                    raise
                raise EvFocusError(f"cannot start recording: {exc}") from exc

    def write_events(self, events: np.ndarray, wall_s: float | None = None,
                     waited_s: float | None = None) -> None:
        """Add ``events``; ``wall_s``: when a live source's batch arrived (``time.monotonic()``),
        so that a restart of its clock keeps the time it was away (None: a replay's);
        ``waited_s``: how long its reads waited for it (see :meth:`ClockShift.place`)."""
        if self._events is None or not len(events):
            return
        with self._lock:
            if self._events is None or self._disk_full_locked():
                return
            w, h = self._events.width, self._events.height
            if int(events["x"].max()) >= w or int(events["y"].max()) >= h:
                # (a camera's stray events: the writer refuses them and the pipeline drops them)
                inside = (events["x"] < w) & (events["y"] < h)
                self._left_out_locked(len(events) - int(np.count_nonzero(inside)), w, h)
                events = events[inside]
                if not len(events):
                    return
            if self._reread is not None:
                events = self._not_written_locked(events)
                if not len(events):
                    return
            events = self._clock.place(events, wall_s, waited_s)
            t_first = int((self._pending[0] if self._pending else events)["t"][0])
            held = self._pending_n + len(events) < PACKET_EVENTS and int(events["t"][-1]) - t_first < PACKET_US
            self._pending.append(events.copy() if held else events)  # (held: the source may reuse its array)
            self._pending_n += len(events)
            if not held:
                self._flush_events_locked()

    def _left_out_locked(self, n: int, w: int, h: int) -> None:
        """Count events outside the recording's sensor; the first said once a recording (a
        Recorder used from Python left them out without a word: the viewer's pipeline says its own)."""
        if not self.outside_events:
            log.warning("recording %s: %d event(s) outside its %dx%d sensor left out (said once; "
                        "counted in Recorder.outside_events)", self.events_path.name, n, w, h)
        self.outside_events += n

    def _flush_events_locked(self) -> None:
        """Write the gathered batches as one packet (``PACKET_EVENTS`` or more: several)."""
        if self._events is None or not self._pending:
            return
        batches, n = self._pending, self._pending_n
        self._pending, self._pending_n = [], 0
        before = self._events.events_written
        try:
            self._events.write(batches[0] if len(batches) == 1 else np.concatenate(batches))
            self.n_events += n
        except Exception as exc:  # disk full, ...: stop cleanly, keep what was written
            # (the packets of this write before the failed one are in the file: counted, so a
            # file holding them is not taken for a header alone and removed)
            self.n_events += max(0, self._events.events_written - before)
            self.error = f"event recording stopped: {exc}"
            self._close_events_locked()
            if self._remove_if_empty_locked(self.events_path):  # (a header alone: readers refuse it)
                self.error += f" (no event was recorded: {self.events_path.name} removed)"
            log.error(self.error)

    def source_reopened(self) -> None:
        """A live source was opened again (the reader thread, before its next batch): a step back
        of its clock is a restart, written on after the time it was away (see :class:`ClockShift`)."""
        with self._lock:
            self._clock.restarted()

    def source_sought(self, again: bool) -> None:
        """The source was sought (the reader thread, before it reads from there). ``again``: to
        remake the frame on show for a new setting (a paused or ended replay): what it reads up to
        the furthest event written, and the frames up to the video's last, are not written again
        (the events were; the remade frame is no frame played: the video goes on with the next).
        Any other seek (the user's, a loop pass) is recorded as played on (see :class:`ClockShift`)."""
        with self._lock:
            self._reread = self._frame_reread_us = None
            c = self._clock
            if again and c.t_last_us is not None:
                self._reread = (c.t_last_us - c.shift_us, c.n_at_last)
            if again and self._video is not None:
                self._frame_reread_us = self._video.t_last_us

    def _not_written_locked(self, events: np.ndarray) -> np.ndarray:
        """``events`` less those a remake reads again: in read order, up to the first later than
        the furthest written, those before its time and as many at its time as were written
        (a run of equal times cut by the pause). Exact for a time-sorted file, as its seek is."""
        t_end, n_end = self._reread
        t = events["t"]
        past = np.flatnonzero(t > t_end)
        i = int(past[0]) if len(past) else len(events)
        at = np.flatnonzero(t[:i] == t_end)
        self._reread = None if len(past) else (t_end, max(0, n_end - len(at)))
        new_at = at[n_end:]
        if not len(new_at):
            return events[i:]
        return np.concatenate([events[new_at], events[i:]])

    def write_frame(self, frame: np.ndarray, t_us: int | None = None) -> None:
        if self._video is None:
            return
        with self._lock:
            if self._video is None or self._disk_full_locked():
                return
            if self._frame_reread_us is not None:
                if t_us is not None and t_us <= self._frame_reread_us:
                    return  # (remade from events already played: see ``source_sought``)
                self._frame_reread_us = None
            try:
                self._video.write(frame, t_us)
            except Exception as exc:
                self.error = f"video recording stopped: {exc}"
                log.error(self.error)
                self._video.close()
                self._video = None

    def _disk_full_locked(self) -> bool:
        """Every ``disk_check_s``: stop the recording, its files finalised and kept, once the disk
        is nearly full (True then); said in ``error``, as a failed write is."""
        if not self.disk.due():
            return False
        open_paths = [p for p, w in ((self.events_path, self._events), (self.video_path, self._video))
                      if w is not None]
        low = self.disk.low({p.parent for p in open_paths})
        if low is None:
            return False
        events = self.events_path if self._events is not None else None
        frames = self._video.frames if self._video is not None else 0
        self._close_locked()
        kept = [f"{self.video_path} ({frames} video frames)"] if frames else []
        if events is not None and not self._remove_if_empty_locked(events):
            kept.insert(0, f"{events} ({self.n_events} events)")
        self.error = f"recording stopped: {low}; " + ("kept " + ", ".join(kept) if kept else "nothing was recorded")
        log.error("%s", self.error)
        return True

    def _remove_if_empty_locked(self, path: Path | None) -> bool:
        """Remove the closed event file ``path`` if no event was written to it (never one that
        holds events); True if removed."""
        if path is None or self.n_events:
            return False
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.debug("removing the empty recording %s failed: %s", path, exc)
            return False
        return True

    @property
    def n_frames(self) -> int:
        """Frames written to the current video (kept after ``stop`` until the next ``start``)."""
        return self._video.frames if self._video is not None else self._last_frames

    def _close_events_locked(self) -> None:
        if self._events is not None:
            self._flush_events_locked()
        self._pending, self._pending_n = [], 0
        if self._events is not None:
            try:
                self._events.close()
            except Exception as exc:  # (its index and footer: a reader may refuse the file)
                self.error = self.error or f"event recording: closing {self.events_path} failed: {exc}"
                log.error("closing %s failed: %s", self.events_path, exc)
            self._events = None

    def _close_locked(self) -> None:
        self._close_events_locked()
        if self._video is not None:
            self._last_frames = self._video.frames
            self._video.close()
            self._video = None

    def stop(self) -> list[Path]:
        """Finalise and close everything; returns the paths written. Safe to call twice.
        An event file that got no event is removed, as a video with no frame is never made:
        readers refuse one ("contains no events"), and "saved" named a file nobody could open."""
        with self._lock:
            events = self.events_path if self._events is not None else None
            video = self.video_path if self._video is not None and self._video.frames else None
            # (asked for, never made: a live camera recorded while paused reads events, makes no frame)
            self.video_unmade = self.video_path if self._video is not None and video is None else None
            self._close_locked()
            if events is not None and self.outside_events:
                log.info("recording %s: %d event(s) outside its sensor left out in all", events.name,
                         self.outside_events)
            if events is not None and not self.n_events:
                self._remove_if_empty_locked(events)
                events = None
            return [p for p in (events, video) if p is not None]

    close = stop


def free_stem(folder: str | Path, stem: str, suffixes=(".aedat4", ".mp4")) -> Path:
    """``folder/stem``, or ``folder/stem_1``, ``_2``, ... : the first for which no file
    with any of ``suffixes`` exists (two recordings started in the same second)."""
    folder = Path(folder)
    for i in range(100_000):
        base = folder / (stem if i == 0 else f"{stem}_{i}")
        if not any(base.with_name(base.name + s).exists() for s in suffixes):
            return base
    raise EvFocusError(f"{folder}: no free name for {stem}")


def save_png(path: str | Path, img: np.ndarray) -> Path:
    """Write a uint8 grey or RGB image as PNG; raises EvFocusError on failure."""
    path = Path(path)
    arr = np.ascontiguousarray(img, dtype=np.uint8)
    if arr.ndim == 3:
        arr = cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)
    try:  # (a snapshot folder that is a file or read-only: a status line, not a traceback)
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = cv2.imwrite(str(path), arr)
    except (OSError, cv2.error) as exc:
        why = (exc.strerror or exc) if isinstance(exc, OSError) else str(exc).strip().splitlines()[-1]
        raise EvFocusError(f"{path}: cannot write PNG ({why})") from None
    if not ok:
        raise EvFocusError(f"{path}: cannot write PNG")
    return path
