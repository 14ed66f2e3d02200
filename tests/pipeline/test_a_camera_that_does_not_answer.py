"""A live camera whose read() blocks (a USB stall) when the user quits: Ctrl-C, a window close
and an interpreter exit waited 5 s on it each, then said "evfocus-reader did not stop" up to
three times (stop(), close_all at exit, the app's last join). One line now, and no repeat."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from conftest import make_events
from pipeline_support import ArraySource

import evfocus_live.pipeline as pipeline_mod
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.gui import app
from evfocus_live.pipeline import Pipeline

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class StuckCam(ArraySource):
    """A live camera: a few batches, then a read() that does not return until ``release``."""

    format = "davis346"

    def __init__(self):
        super().__init__(make_events(20_000, 64, 48), 64, 48, batch=2000, live=True)
        self.release, self.stuck = threading.Event(), threading.Event()

    def read(self):
        if self.pos >= 10_000:
            self.stuck.set()
            self.release.wait(60.0)
            return None
        return super().read()


def test_a_stuck_camera_is_said_once_as_not_answering_and_stop_does_not_wait_for_it(tiny_model, caplog):
    src = StuckCam()
    pipe = Pipeline(src, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=()),
                    model_obj=tiny_model, render_events=False)
    pipe.start()
    try:
        assert src.stuck.wait(30.0)
        with caplog.at_level(logging.INFO):
            pipe.stop()  # Ctrl-C / the window's close
            pipe.close()  # a script's close, then the exit hook's
            pipeline_mod.close_all()
            app.join_pipeline_threads()
        said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(said) == 1 and said[0].startswith("the davis346 camera did not answer"), said
        assert pipe._threads and pipe._threads[0].is_alive()  # (it was not waited for: left to Python)
    finally:
        src.release.set()
        deadline = time.monotonic() + 30.0
        while pipe._threads_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
