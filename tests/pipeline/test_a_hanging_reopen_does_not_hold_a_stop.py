"""A lost live camera is opened again by the reader thread (reconnect). An open that hangs
(a USB device half there) held a stop for its whole timeout (5 s), then again at exit: a
headless run's Ctrl-C or SIGTERM during the loss took 11 s, with two warnings. A stop now
waits for such an open as for a live read (1 s), says it once, and goes on without it."""

from __future__ import annotations

import logging
import threading

import numpy as np

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.errors import DeviceError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources.base import EventSource

TIMEOUT_S = 30.0
#: released at the test's end: the hanging open returns (and fails) then
RELEASE = threading.Event()


class UnpluggedCam(EventSource):
    """Opens once, reads one empty batch, then is unplugged; opening it again hangs."""

    format, sensor, is_live = "usbcam", "usbcam 1", True
    width, height = 32, 24
    opened = 0

    def __init__(self):
        type(self).opened += 1
        if type(self).opened > 1:
            RELEASE.wait(TIMEOUT_S)
            raise DeviceError("no usbcam attached")
        self.reads = 0

    def read(self):
        self.reads += 1
        if self.reads == 1:
            return np.empty(0, EVENT_DTYPE)
        raise DeviceError("usbcam: camera disconnected")

    def close(self):
        pass


def test_a_stop_does_not_wait_for_an_open_that_hangs(caplog):
    pipe = Pipeline(UnpluggedCam, WindowConfig(mode="events", window_events=100), model="integrator",
                    post=PostConfig(steps=()))
    try:
        with caplog.at_level(logging.WARNING, logger="evfocus_live.pipeline"):
            pipe.start()
            while UnpluggedCam.opened < 2:  # (the reader is inside the hanging open)
                pipe.wait(0.01)
            stopped = threading.Event()
            threading.Thread(target=lambda: (pipe.stop(timeout_s=TIMEOUT_S), stopped.set()), daemon=True).start()
            assert stopped.wait(TIMEOUT_S - 5), "the stop waited for the hanging open"
            pipe.stop(timeout_s=TIMEOUT_S)  # (close_all at exit: not waited for, nor said, again)
            assert not RELEASE.is_set()
    finally:
        RELEASE.set()
    said = [r.getMessage() for r in caplog.records]
    assert sum(m.startswith("the usbcam camera being opened again has not answered for") for m in said) == 1, said
    assert not any("did not stop within" in m for m in said), said


class LateCam(EventSource):
    """As UnpluggedCam, but its hanging open succeeds once released: after the stop."""

    format, sensor, is_live = "usbcam", "usbcam 1", True
    width, height = 32, 24
    made: list = []

    def __init__(self):
        type(self).made.append(self)
        self.reads, self.closed = 0, False
        if len(type(self).made) > 1:
            LATE.wait(TIMEOUT_S)

    def read(self):
        self.reads += 1
        if self.reads == 1 and self is type(self).made[0]:
            return np.empty(0, EVENT_DTYPE)
        raise DeviceError("usbcam: camera disconnected")

    def close(self):
        self.closed = True


LATE = threading.Event()


def test_a_camera_opened_after_the_stop_is_closed():
    pipe = Pipeline(LateCam, WindowConfig(mode="events", window_events=100), model="integrator",
                    post=PostConfig(steps=()))
    try:
        pipe.start()
        while len(LateCam.made) < 2:
            pipe.wait(0.01)
        pipe.stop(timeout_s=TIMEOUT_S)
    finally:
        LATE.set()
    reader = [t for t in threading.enumerate() if t.name == "evfocus-reader"]
    for t in reader:
        t.join(TIMEOUT_S)
    assert LateCam.made[1].closed  # (it held the camera: the next open found it busy)
