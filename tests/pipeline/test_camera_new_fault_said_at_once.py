"""A live camera's repeated read() fault is said at most once a minute per kind: the kind was
the exception's type alone, and the shipped cameras raise every fault as a DeviceError, so a
new fault ("USB bandwidth exceeded" after "camera disconnected") went unsaid for a minute.
The same fault with another number in it stays one kind."""

from __future__ import annotations

import logging

import numpy as np

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.errors import DeviceError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources.base import EventSource


class DvLikeCam(EventSource):
    """Opens fine, then each read() after the first fails as a shipped camera does."""

    format = "dvlike"
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
        n = type(self).opened
        raise DeviceError(f"DVXplorer: USB bandwidth exceeded ({n} packets lost)" if n >= 6
                          else f"DVXplorer: camera disconnected (port {n})")

    def close(self):
        pass


def test_a_new_fault_of_the_same_type_is_said_at_once(caplog):
    pipe = Pipeline(DvLikeCam, WindowConfig(mode="events", window_events=100), model="integrator",
                    post=PostConfig(steps=()))
    with caplog.at_level(logging.WARNING, logger="evfocus_live.pipeline"):
        pipe.start()
        while pipe.stats.reconnects < 10:
            pipe.wait(0.05)
        pipe.stop()
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("source error")]
    assert len(said) == 2, said
    assert "camera disconnected" in said[0] and "USB bandwidth exceeded" in said[1]
