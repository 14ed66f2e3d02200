"""eval's grid reads a recording's APS frames with the readers' warnings held back (the APS
table reads them again and says them). It did so by setting the ``evfocus_live.sources``
logger to ERROR for a while: a process-wide level, so a warning another thread's reader
logged meanwhile (a viewer's reader thread, a prefetch thread) was lost. Only this thread's
warnings are held back now; its errors, and every other thread's warnings, are said."""

from __future__ import annotations

import logging
import threading

import numpy as np

import evfocus_live.sources as sources_mod
import evfocus_live.train.evaluate as ev_mod
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources.base import readers_quiet

READER = logging.getLogger("evfocus_live.sources.some_reader")


class _Source:
    """An open recording of 3 events and one APS frame (as ``open_file`` gives)."""

    width, height = 8, 6

    def __init__(self):
        self._ev = np.zeros(3, EVENT_DTYPE)
        self._ev["t"] = [0, 1, 2]

    def read(self):
        ev, self._ev = self._ev, None
        return ev

    def aps_frames(self, limit=None):
        return [(1, np.zeros((6, 8), np.uint8))]

    def close(self):
        pass


def _said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records]


def _log_meanwhile():
    """This thread's warning and error, and another thread's warning, logged by a reader."""
    READER.warning("this thread's warning")
    READER.error("this thread's error")
    other = threading.Thread(target=READER.warning, args=("another thread's warning",))
    other.start()
    other.join()


def test_the_grid_s_aps_read_holds_back_this_thread_s_warnings_only(monkeypatch, caplog):
    def frames(src, n):
        _log_meanwhile()
        return src.aps_frames()[:n]

    monkeypatch.setattr(sources_mod, "open_file", lambda path: _Source())
    monkeypatch.setattr(ev_mod, "_first_aps_frames", frames)
    with caplog.at_level(logging.WARNING):
        ev, w, h, aps = ev_mod._read_recording("rec.aedat4", 1, 1)
    assert len(ev) == 3 and len(aps) == 1
    said = _said(caplog)
    assert "another thread's warning" in said and "this thread's error" in said
    assert "this thread's warning" not in said


def test_readers_quiet_is_this_thread_s(caplog):
    level = logging.getLogger("evfocus_live.sources").level
    with caplog.at_level(logging.WARNING):
        with readers_quiet():
            assert logging.getLogger("evfocus_live.sources").level == level  # (no process-wide level)
            with readers_quiet():  # (nested: still quiet after the inner one ends)
                pass
            _log_meanwhile()
        READER.warning("after")
    said = _said(caplog)
    assert said.count("another thread's warning") == 1 and "this thread's error" in said and "after" in said
    assert "this thread's warning" not in said
