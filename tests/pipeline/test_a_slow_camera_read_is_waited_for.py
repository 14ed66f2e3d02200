"""A healthy live camera whose read() takes longer than ``LIVE_READ_JOIN_S`` (a plugin camera
that hands over big packets, a slow hub): the stop waited 1 s for its read in progress, left it
behind and said "the ... camera did not answer"; the batch it then read came after the
recording was finalised and was never recorded. A stop now waits twice its recent reads'
longest, so such a read ends inside the stop; a camera stuck in a read is still left after 1 s
(tests/pipeline/test_a_camera_that_does_not_answer.py)."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from conftest import make_events
from pipeline_support import ArraySource

import evfocus_live.pipeline as pipeline_mod
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline

pytestmark = pytest.mark.usefixtures("one_torch_thread")

READ_S = 0.3  # each read's time: three times the stop's wait below (the real one is 1 s)


class SlowCam(ArraySource):
    """A live camera whose every read takes ``READ_S``; ``given``: the events handed over."""

    format = "slowcam"

    def __init__(self):
        super().__init__(make_events(2_000_000, 64, 48), 64, 48, batch=2000, live=True)
        self.given, self.reads = 0, 0
        self.reading = threading.Event()

    def read(self):
        self.reading.set()
        time.sleep(READ_S)
        batch = super().read()
        self.given += 0 if batch is None else len(batch)
        self.reads += 1
        return batch


def test_a_stop_waits_for_a_slow_healthy_cameras_read(tiny_model, caplog, monkeypatch):
    monkeypatch.setattr(pipeline_mod, "LIVE_READ_JOIN_S", READ_S / 3)
    src = SlowCam()
    pipe = Pipeline(src, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=()),
                    model_obj=tiny_model, render_events=False, reconnect=False)
    pipe.start()
    try:
        deadline = time.monotonic() + 30.0
        while src.reads < 3:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        with caplog.at_level(logging.WARNING):
            pipe.stop()  # (inside a read: the reader reads all the time)
        said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert not [m for m in said if "did not answer" in m], said
        assert not pipe._threads_alive()  # its read ended within the stop: nothing read after it
        assert pipe.stats.events_total == src.given
    finally:
        pipe.stop()
