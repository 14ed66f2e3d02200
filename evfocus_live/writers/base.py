"""The writer interface: ``write(events)``, ``close()`` (idempotent), context manager.

Subclasses implement :meth:`write`, :meth:`_finish` (finalise and release the file) and
:attr:`closed`. Closing on garbage collection too (:class:`~evfocus_live.resources.Closeable`)
means a writer dropped by an error path still leaves a readable file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np

from ..events import EVENT_DTYPE, records_by_name
from ..resources import Closeable


class EventWriter(Closeable):
    """Base of the event writers (see module docstring)."""

    events_written: int = 0
    #: the sensor the file declares; written events must lie inside it unless ``check_bounds`` is False
    width: int = 0
    height: int = 0
    check_bounds: bool = True

    @property
    def closed(self) -> bool:
        raise NotImplementedError

    def write(self, events: np.ndarray) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finalise and close (safe to call twice)."""
        if not self.closed:
            self._finish()

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("writer is closed")

    def _records(self, events) -> np.ndarray:
        """``events`` as EVENT_DTYPE (:func:`as_event_records`), refused with one ValueError line
        when any lies outside the ``width`` x ``height`` given: they were written, and every
        reader drops them when it reads the file back (a round trip with width and height
        swapped gave a file of nothing but a warning)."""
        events = as_event_records(events)
        if not self.check_bounds:  # (files of a camera's stray events, to test the readers with)
            return events
        outside = (events["x"] >= self.width) | (events["y"] >= self.height)
        if outside.any():
            raise ValueError(f"{int(outside.sum())} of {len(events)} events lie outside the {self.width}x{self.height} "
                             f"sensor this file was opened for (x up to {int(events['x'].max())}, y up to "
                             f"{int(events['y'].max())}): give the writer the sensor's width and height")
        return events


def as_event_records(events: np.ndarray) -> np.ndarray:
    """``events`` as EVENT_DTYPE, fields taken by name and ON = ``p > 0``: numpy casts one
    record layout to another by position (x, y, t, p columns were written as t, x, y), and a
    -1/+1 polarity written as nonzero made every OFF event ON. Not an array (a list): the
    same ValueError, not an AttributeError."""
    events = np.asarray(events)
    if events.dtype == EVENT_DTYPE:
        return events
    names = events.dtype.names or ()
    if not all(n in names for n in ("t", "x", "y", "p")):
        raise ValueError(f"events need fields t, x, y, p (got {', '.join(names) or events.dtype})")
    return records_by_name(events)


def unlink_old_file(path: str | Path) -> None:
    """Remove an existing regular file before a new one is written in its place: a process
    that has the old one open or memory-mapped (a reader, a video player) keeps its copy,
    where truncating it in place crashed a reader (Bus error). A device, pipe or link is
    written as before."""
    try:
        if stat.S_ISREG(os.lstat(path).st_mode):
            os.unlink(path)
    except OSError:  # absent, or not removable here: the open that follows says what is wrong
        pass
