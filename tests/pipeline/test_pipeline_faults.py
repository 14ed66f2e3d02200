"""Faults in the Pipeline: a model that raises, a worker that crashes, a file's fault said once."""

from __future__ import annotations

import logging

import pytest
from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.errors import CheckpointError, InputError
from evfocus_live.pipeline import Pipeline


class Broken(ArraySource):
    def read(self):
        if self.pos >= 15_000:
            raise ValueError("corrupt block at byte 1234")
        return super().read()


def test_threaded_file_fault_is_logged_once(caplog):
    """A bad row in a replayed file: 'source error …' then 'reader stopped …' (then the app's line)."""
    pipe = Pipeline(Broken(make_events(30_000, 32, 24), 32, 24, batch=5000), WindowConfig(mode="duration",
                    window_ms=20), model=SumModel(), post=NO_POST, speed=0)
    with caplog.at_level(logging.DEBUG, logger="evfocus_live.pipeline"):
        pipe.start()
        assert pipe.wait(timeout_s=20)
    said = [r for r in caplog.records if "corrupt block" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.ERROR  # (the one line a headless run gives)
    assert pipe.stats.status.startswith("source error") and "corrupt block" in pipe.stats.status


def test_frames_file_fault_is_said_by_the_caller_only(caplog):
    pipe = Pipeline(Broken(make_events(30_000, 32, 24), 32, 24, batch=5000), WindowConfig(mode="duration",
                    window_ms=20), model=SumModel(), post=NO_POST)
    with caplog.at_level(logging.DEBUG, logger="evfocus_live.pipeline"):
        with pytest.raises(InputError, match="corrupt block"):
            list(pipe.frames())
    assert not [r for r in caplog.records if "corrupt block" in r.getMessage()]
    assert pipe.stats.source_errors == 1 and "corrupt block" in pipe.stats.last_fault


class _Boom(SumModel):
    def forward(self, voxel):
        if self.calls >= 2:
            raise RuntimeError("boom")
        return super().forward(voxel)


def test_a_model_that_raises_is_one_line_in_synchronous_mode():
    """``frames()`` (``evfocus reconstruct``) let the model's own exception out: a traceback."""
    ev = make_events(4000, 32, 24, duration_us=200_000)
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=20), model=_Boom(),
                    post=NO_POST)
    with pytest.raises(CheckpointError, match=r"^model '_Boom' failed on a 32x24 window: RuntimeError: boom$"):
        list(pipe.frames())


def test_worker_crash_ends_the_run_and_stop_keeps_the_fault():
    """A model raising a plain exception killed the worker, but the reader paced on through
    the whole file (``wait`` blocked, ``running`` stayed True), ``last_fault`` stayed empty,
    and ``stop()`` then overwrote the status with "stopped": the fault vanished."""
    ev = make_events(50_000, 32, 24, duration_us=60_000_000)  # a minute at 1x
    pipe = Pipeline(ArraySource(ev, 32, 24, batch=500), WindowConfig(mode="duration", window_ms=20),
                    model=_Boom(), post=NO_POST, speed=1.0)
    pipe.start()
    assert pipe.wait(10), "the reader went on after the worker died"
    assert pipe.stats.status.startswith("worker error: model '_Boom' failed on a 32x24 window: RuntimeError: boom")
    assert pipe.stats.last_fault == pipe.stats.status
    pipe.stop()
    assert pipe.stats.status.startswith("worker error")
    pipe.close()
