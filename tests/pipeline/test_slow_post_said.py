"""A post-processor plugin that holds the frame rate back: the viewer showed "inference 3 ms",
0.3 fps and no word why (post-processing time was in no readout). Now a chain slower than
``SLOW_POST_MS`` and than the model, three frames running, is said once, naming its slowest
step, on ``on_warning`` (the viewer's status bar) and in the log; a new chain is judged again."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import numpy as np
import pytest

import evfocus_live.pipeline as pipeline_mod
from conftest import make_events
from pipeline_support import run_on_fake_clock
from evfocus_live.config import PostConfig
from evfocus_live.plugins import POSTPROCESSORS



class Sleepy:
    """A step that takes ``delay_s`` on the pipeline's clock (``_run``'s), not in a real sleep: on
    a loaded machine a real 60 ms step could lose to the model's time, and nothing was said."""
    stage = "frame"
    clock_s = [0.0]

    def __init__(self, delay_s: float = 1.0):  # (slower than any model's first window)
        self.delay_s = delay_s

    def __call__(self, frame, t_us=0):
        Sleepy.clock_s[0] += self.delay_s
        return frame

    def reset(self):
        pass


class Quick(Sleepy):
    def __call__(self, frame, t_us=0):
        return frame


PLUGINS = [EntryPoint("sleepy", "test_slow_post_said:Sleepy", POSTPROCESSORS),
           EntryPoint("quick", "test_slow_post_said:Quick", POSTPROCESSORS)]


@pytest.fixture
def rec(tmp_path):
    path = tmp_path / "rec.npy"
    np.save(path, make_events(6_000, width=64, height=48, duration_us=100_000))
    return path


def _run(rec, steps, monkeypatch):
    monkeypatch.setattr(pipeline_mod, "SLOW_POST_MS", 20.0)
    return run_on_fake_clock(monkeypatch, rec, steps, PLUGINS, Sleepy.clock_s)


def test_a_slow_post_step_is_said_once_by_name(rec, monkeypatch, caplog):
    pipe, said, frames = _run(rec, ("quick", "sleepy"), monkeypatch)
    try:
        assert len(frames) >= 4
        assert len(said) == 1 and "post-processor 'sleepy' takes" in said[0] and "frames/s" in said[0], said
        assert pipe.stats.slow_post == said[0]
        assert pipe.stats.post_ms >= 20.0
        assert [r.getMessage() for r in caplog.records if "'sleepy' takes" in r.getMessage()] == said
        # another chain is judged afresh: a fast one says nothing
        pipe.set_post(PostConfig(steps=("quick",)))
        assert pipe.stats.slow_post == ""
    finally:
        pipe.close()


def test_a_fast_chain_says_nothing(rec, monkeypatch):
    pipe, said, frames = _run(rec, ("quick",), monkeypatch)
    try:
        assert len(frames) >= 4 and said == [] and pipe.stats.slow_post == ""
    finally:
        pipe.close()
