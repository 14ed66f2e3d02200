"""A live camera's first read() is slow once (numba compiles the DAVIS unpacker, a driver sets
up): a stop during it waited 1 s (``LIVE_READ_JOIN_S``: no read had returned to say how long
this camera's take), left the read behind, and the batch it then read came after the recording
was finalised: lost. The stop now waits for a first read (bounded by ``FIRST_READ_JOIN_S``, the
stall limit, said in one line past it), and the recording gets the batch."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from conftest import make_events
from pipeline_support import ArraySource

import evfocus_live.pipeline as pipeline_mod
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.gui.recording import Recorder
from evfocus_live.sources import open_file

pytestmark = pytest.mark.usefixtures("one_torch_thread")

W, H = 64, 48


class FirstReadSlowCam(ArraySource):
    """A live camera whose first read takes ``first_s`` (then fast); ``given``: events handed over."""

    format = "slowstart"

    def __init__(self, first_s: float):
        super().__init__(make_events(200_000, W, H), W, H, batch=2000, live=True)
        self.first_s, self.given = first_s, 0
        self.reading = threading.Event()

    def read(self):
        if self.pos == 0:
            self.reading.set()
            time.sleep(self.first_s)
        batch = super().read()
        self.given += 0 if batch is None else len(batch)
        time.sleep(0.002)
        return batch


def test_a_stop_in_the_first_slow_read_keeps_its_batch_in_the_recording(tiny_model, tmp_path, caplog,
                                                                          monkeypatch):
    from evfocus_live.gui.session import LiveSession

    monkeypatch.setattr(pipeline_mod, "LIVE_READ_JOIN_S", 0.1)  # (the real one is 1 s)
    src = FirstReadSlowCam(first_s=1.0)
    s = LiveSession(src, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=()),
                    model_obj=tiny_model, recorder=Recorder())
    rec = tmp_path / "r.aedat4"
    s.recorder.start(events_path=rec, width=W, height=H, sensor="slowstart")
    s.start()
    try:
        assert src.reading.wait(30.0)
        with caplog.at_level(logging.WARNING):
            s.stop()  # (inside the first read)
        said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert not [m for m in said if "did not answer" in m or "first read" in m], said
        assert not s.pipeline._threads_alive()
    finally:
        s.stop()
    assert src.given >= 2000
    with open_file(rec) as f:
        n = sum(len(b) for b in f)
    assert n == src.given == s.recorder.n_events  # the first batch too


def test_a_first_read_that_never_returns_is_left_with_one_line(tiny_model, caplog, monkeypatch):
    monkeypatch.setattr(pipeline_mod, "FIRST_READ_JOIN_S", 0.3)  # (the real one is 5 s)
    release = threading.Event()

    class Stuck(FirstReadSlowCam):
        def read(self):
            self.reading.set()
            release.wait(60.0)
            return None

    src = Stuck(0.0)
    pipe = pipeline_mod.Pipeline(src, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=()),
                                 model_obj=tiny_model, render_events=False)
    pipe.start()
    try:
        assert src.reading.wait(30.0)
        with caplog.at_level(logging.WARNING):
            pipe.stop()
            pipe.stop()
        said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(said) == 1 and said[0].startswith("the slowstart camera's first read() has not returned"), said
    finally:
        release.set()
        deadline = time.monotonic() + 30.0
        while pipe._threads_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
