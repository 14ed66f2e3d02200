"""A live camera whose first read() does not return until let go, for the tests of a stop
during it (the pipeline's and the viewer's)."""

from __future__ import annotations

import threading

import pytest
from conftest import make_events
from pipeline_support import ArraySource

W, H = 64, 48


class StuckFirstRead(ArraySource):
    """A live 64x48 camera whose first read() waits for ``release`` (``hold_s`` at most: a stop
    that waited for it holds the test no longer); ``returned`` once it has come back."""

    format = "stuckstart"

    def __init__(self, hold_s: float = 20.0):
        super().__init__(make_events(20_000, W, H), W, H, batch=2000, live=True)
        self.hold_s = hold_s
        self.reading, self.release, self.returned = threading.Event(), threading.Event(), threading.Event()

    def read(self):
        if self.pos == 0 and not self.returned.is_set():
            self.reading.set()
            self.release.wait(self.hold_s)
            self.returned.set()
        return super().read()


@pytest.fixture
def held_first_read(monkeypatch):
    """A :class:`StuckFirstRead` a stop would wait for longer than the test (``FIRST_READ_JOIN_S``
    600 s), let go at the end."""
    import evfocus_live.pipeline as pipeline_mod

    monkeypatch.setattr(pipeline_mod, "FIRST_READ_JOIN_S", 600.0)  # (the real one is 5 s: longer than the test)
    src = StuckFirstRead()
    yield src
    src.release.set()


def record_events_then_release(win, src: StuckFirstRead, after_s: float = 1.5) -> None:
    """The viewer records events from ``src`` in its first read, which returns ``after_s`` later
    (while a stop begun meanwhile waits for it)."""
    assert src.reading.wait(30.0)
    assert win.start_recording(events=True, video=False)
    threading.Timer(after_s, src.release.set).start()


def said_waiting_for_the_first_events(win) -> bool:
    return any(m.startswith("waiting up to ") and "first events, for the recording" in m for m in win.status_log)
