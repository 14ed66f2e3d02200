"""The writer interface: ``write(events)``, ``close()`` (idempotent), context manager.

Subclasses implement :meth:`write`, :meth:`_finish` (finalise and release the file) and
:attr:`closed`. Closing on garbage collection too (:class:`~evfocus_live.resources.Closeable`)
means a writer dropped by an error path still leaves a readable file.
"""

from __future__ import annotations

import numpy as np

from ..resources import Closeable


class EventWriter(Closeable):
    """Base of the event writers (see module docstring)."""

    events_written: int = 0

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
