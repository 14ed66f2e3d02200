"""A stop that finds the worker inside a script's ``on_frame`` that does not return (a full
queue whose reader has ended: the exit hook's stop waited its 5 s for it) says so, a warning
naming the callback. It was an INFO line about the model ("still finishing its window"), not
shown at the default log level: Python hung at exit without a word."""

from __future__ import annotations

import logging
import threading

from conftest import DAVIS_FILE
from pipeline_support import NO_POST
from evfocus_live.config import SourceConfig
from evfocus_live.pipeline import Pipeline


def test_a_stop_blocked_by_the_callback_names_it(caplog):
    entered, release = threading.Event(), threading.Event()

    def on_frame(fr):
        entered.set()
        release.wait()

    with Pipeline(SourceConfig(str(DAVIS_FILE), loop=True), model="integrator", post=NO_POST) as pipe:
        pipe.start(on_frame=on_frame)
        assert entered.wait(60)
        try:
            with caplog.at_level(logging.INFO, logger="evfocus_live.pipeline"):
                pipe.stop(timeout_s=0.1)
        finally:
            release.set()
    said = [r for r in caplog.records if "did not stop" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
    assert "on_frame callback has not returned" in said[0].getMessage()
    assert not [r for r in caplog.records if "finishing its window" in r.getMessage()]
