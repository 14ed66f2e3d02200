"""A post-processor plugin that holds the frame rate back: the viewer showed "inference 3 ms",
0.3 fps and no word why (post-processing time was in no readout). Now a chain slower than
``SLOW_POST_MS`` and than the model, three frames running, is said once, naming its slowest
step, on ``on_warning`` (the viewer's status bar) and in the log; a new chain is judged again."""

from __future__ import annotations

import evfocus_live.pipeline as pipeline_mod
from pipeline_support import run_on_fake_clock
from slow_steps import PLUGINS, clock_s, rec  # noqa: F401 (rec: the fixture)
from evfocus_live.config import PostConfig


def _run(rec, steps, monkeypatch):
    monkeypatch.setattr(pipeline_mod, "SLOW_POST_MS", 20.0)
    return run_on_fake_clock(monkeypatch, rec, steps, PLUGINS, clock_s)


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
