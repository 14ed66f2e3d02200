"""A headless ``--camera auto`` run with a faked DAVIS that is unplugged after some reads, for the
tests of how a lost camera is taken back."""

from __future__ import annotations

import logging
import time

import numpy as np

from evfocus_live.errors import DeviceError
from evfocus_live.events import from_arrays
from evfocus_live.sources.base import EventSource


class Davis(EventSource):
    """A 64x48 DAVIS opened by ``auto`` (format "auto"): ``reads`` batches, then unplugged; with
    ``for_s``, unplugged that long after its first read instead, however many reads that was (a
    loaded machine's reads are slower: a count of them ran the camera for longer)."""

    format, is_live, width, height = "auto", True, 64, 48

    def __init__(self, serial: str, reads: int = 10**9, for_s: float | None = None):
        self.serial, self.sensor, self.reads, self.n = serial, f"DAVIS346_{serial}", reads, 0
        self.for_s, self.until_s = for_s, None

    def read(self):
        if self.for_s is not None and self.until_s is None:
            self.until_s = time.monotonic() + self.for_s
        time.sleep(0.005)
        if self.n >= self.reads or (self.until_s is not None and time.monotonic() >= self.until_s):
            raise DeviceError(f"{self.sensor}: camera disconnected")
        t = self.n * 5000 + np.arange(500) * 10
        self.n += 1
        return from_arrays(t, t % 64, (t // 64) % 48, t % 2)

    def close(self):
        pass


def run(first, open_again, tiny_ckpt, tmp_path, caplog, monkeypatch, exit_after_s: str, reconnect_s: float = 1.0):
    """The run's (exit code, lines said), ``HEADLESS_RECONNECT_S`` set to ``reconnect_s``."""
    from evfocus_live import sources
    from evfocus_live.gui import app, session

    monkeypatch.setattr(session, "open_with_fallback", lambda spec, msgs, fallback=True: first)
    monkeypatch.setattr(sources, "open_source", open_again)
    monkeypatch.setattr(app, "HEADLESS_RECONNECT_S", reconnect_s)  # (the real one is 30 s)
    with caplog.at_level(logging.INFO):
        rc = app.main(["--camera", "auto", "--headless", "--model", str(tiny_ckpt), "--post", "none",
                       "--window-events", "800", "--record", str(tmp_path / "r.aedat4"),
                       "--exit-after-s", exit_after_s])
    return rc, [r.getMessage() for r in caplog.records]
