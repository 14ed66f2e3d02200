"""A live plugin camera whose read() fails at each read after a reopen (reconnect on) said
one "source error" warning per reconnect cycle: 20 in a second. The same fault is now said
once (again at most once a minute, counted); another kind of fault is said too."""

from __future__ import annotations

import logging

import numpy as np

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources.base import EventSource


class FlakyCam(EventSource):
    """Opens fine, then each read() after the first fails."""

    format = "flakycam"
    width, height = 32, 24
    is_live = True
    opened = 0

    def __init__(self):
        type(self).opened += 1
        self.reads = 0

    def read(self):
        self.reads += 1
        if self.reads == 1:
            return np.empty(0, EVENT_DTYPE)
        raise (ValueError("bad packet") if type(self).opened == 6 else OSError("USB transfer failed"))

    def close(self):
        pass


def test_a_camera_failing_after_each_reopen_is_said_once_per_kind(caplog):
    pipe = Pipeline(FlakyCam, WindowConfig(mode="events", window_events=100), model="integrator",
                    post=PostConfig(steps=()))
    with caplog.at_level(logging.WARNING, logger="evfocus_live.pipeline"):
        pipe.start()
        while pipe.stats.reconnects < 10:
            pipe.wait(0.05)
        pipe.stop()
    said = [r.getMessage() for r in caplog.records if "source error" in r.getMessage()]
    assert len(said) == 2, said
    assert "OSError: USB transfer failed" in said[0] and "ValueError: bad packet" in said[1]
    assert pipe.stats.source_errors >= 10
