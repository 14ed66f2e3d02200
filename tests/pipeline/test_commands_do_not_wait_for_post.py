"""A command (untick a post-processor, reset the state, seek) waited for the frame
post-processors the worker was running: ``process_window`` ran them under the pipeline's lock,
so unticking a plugin's 3 s step froze the viewer for up to 3 s. Now the worker runs them
outside it; a new chain takes over at the next frame, and a reset asked for meanwhile is done
before the step's next frame (never during its call)."""

from __future__ import annotations

import threading
from importlib.metadata import EntryPoint

import numpy as np
import pytest

from conftest import make_events
from pipeline_support import SumModel
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline
from evfocus_live.plugins import POSTPROCESSORS
from plugin_support import _with_extra

WAIT_S = 20.0  # (only a broken pipeline comes near it)



class Gate:
    """A frame step that holds its first frame until the test lets it go; notes what it ran."""
    stage = "frame"
    entered = threading.Event()
    release = threading.Event()
    log: list[str] = []

    def __call__(self, frame, t_us=0):
        Gate.log.append("call")
        Gate.entered.set()
        assert Gate.release.wait(WAIT_S)
        return frame

    def reset(self):
        Gate.log.append("reset")


class Plain:
    stage = "frame"

    def __call__(self, frame, t_us=0):
        return frame

    def reset(self):
        pass


@pytest.fixture
def gated(monkeypatch, tmp_path):
    _with_extra(monkeypatch, [EntryPoint("gate", "test_commands_do_not_wait_for_post:Gate", POSTPROCESSORS),
                              EntryPoint("plain", "test_commands_do_not_wait_for_post:Plain", POSTPROCESSORS)])
    Gate.entered, Gate.release, Gate.log = threading.Event(), threading.Event(), []
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(20_000, width=64, height=48, duration_us=400_000))
    frames = []
    pipe = Pipeline(str(rec), WindowConfig(mode="events", window_events=1_000), post=PostConfig(steps=("gate",)),
                    model_obj=SumModel(), speed=0)
    pipe.start(frames.append)
    assert Gate.entered.wait(WAIT_S)
    yield pipe, frames
    Gate.release.set()
    pipe.close()


def _returns(fn) -> bool:
    """Whether ``fn()`` returns while the step is held (in a thread: a hang must not hang the test)."""
    t = threading.Thread(target=fn, daemon=True)
    t.start()
    t.join(WAIT_S / 2)
    return not t.is_alive()


def test_reset_does_not_wait_and_comes_before_the_next_frame(gated):
    pipe, frames = gated
    n_log = len(Gate.log)
    assert _returns(pipe.reset_state)
    assert Gate.log[n_log:] == []  # (not reset in the middle of its call)
    Gate.release.set()
    deadline = threading.Event()
    for _ in range(200):
        if Gate.log.count("call") >= 2:
            break
        deadline.wait(0.05)
    calls = Gate.log[n_log:]
    assert calls[:2] == ["reset", "call"], Gate.log


def test_another_chain_does_not_wait(gated):
    pipe, frames = gated
    assert _returns(lambda: pipe.set_post(PostConfig(steps=("plain",))))
    assert pipe.post_cfg.steps == ("plain",)
    Gate.release.set()
    assert pipe.wait(WAIT_S)
    assert Gate.log.count("call") == 1 and len(frames) >= 10  # the rest ran through the new chain
