"""A live camera whose first read() does not return until let go, for the tests of a stop
during it (the pipeline's and the viewer's)."""

from __future__ import annotations

import threading

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
