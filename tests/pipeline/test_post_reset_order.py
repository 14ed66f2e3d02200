"""The frame post-processors run outside the pipeline's lock, so a command can land between a
window's model part and its post part. A reset (or a seek, new settings) there reset a
temporal filter at once, and the frame made before it then went through the fresh filter: its
history began with a frame of the old state (after a window change, one then dropped as stale).
Now frames made before a reset go through the filters as they were, the reset comes before the
first frame made after it, and a stale frame does not run the chain at all."""

from __future__ import annotations

import threading
from importlib.metadata import EntryPoint

import numpy as np
import pytest

from conftest import make_events
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline
from evfocus_live.plugins import POSTPROCESSORS
from pipeline_support import SumModel
from plugin_support import _with_extra

WAIT_S = 20.0  # (only a broken pipeline comes near it)
WINDOW = WindowConfig(mode="events", window_events=1_000)


class History:
    """A temporal filter stand-in: notes each reset and each frame (by its time) it takes in."""
    stage = "frame"
    log: list[tuple[str, int]] = []
    fail_reset = False

    def __call__(self, frame, t_us=0):
        History.log.append(("call", int(t_us)))
        return frame

    def reset(self):
        if History.fail_reset:
            raise RuntimeError("lab filter lost its calibration")
        History.log.append(("reset", -1))


@pytest.fixture
def history(monkeypatch):
    _with_extra(monkeypatch, [EntryPoint("history", "test_post_reset_order:History", POSTPROCESSORS)])
    History.log, History.fail_reset = [], False


def _run_with_command_between_parts(tmp_path, command, warnings: list[str] | None = None
                                    ) -> tuple[int, list[tuple[str, int]]]:
    """Run a recording; between the 3rd frame's model part and its post part, ``command(pipe)``
    runs in another thread (as the viewer's would) to its end. Returns that frame's time and
    the filter's log."""
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(20_000, width=64, height=48, duration_us=400_000))
    pipe = Pipeline(str(rec), WINDOW, post=PostConfig(steps=("history",)), model_obj=SumModel(), speed=0)
    original = pipe._post_part
    made_at: list[int] = []

    def post_part(made, gen=None):
        if len(made_at) == 0 and sum(1 for kind, _ in History.log if kind == "call") == 2:
            made_at.append(int(made.window.t_us))
            t = threading.Thread(target=command, args=(pipe,), daemon=True)
            t.start()
            t.join(WAIT_S)
            assert not t.is_alive(), "the command waited for the worker"
        return original(made, gen)

    pipe._post_part = post_part
    pipe.on_warning = (warnings if warnings is not None else []).append
    try:
        pipe.start(lambda fr: None)
        assert pipe.wait(WAIT_S)
        assert not pipe.stats.status.startswith("worker error"), pipe.stats.status
    finally:
        pipe.close()
    assert made_at, History.log
    return made_at[0], list(History.log)


def test_reset_between_the_parts_comes_after_the_frame_made_before_it(tmp_path, history):
    t_before, log = _run_with_command_between_parts(tmp_path, lambda pipe: pipe.reset_state())
    log = _after_two_calls(log)
    assert log[:3] == [("call", t_before), ("reset", -1), log[2]], log  # the frame made before it first
    assert log[2][0] == "call" and log[2][1] > t_before, log


def test_new_settings_between_the_parts_skip_the_stale_frame(tmp_path, history):
    t_before, log = _run_with_command_between_parts(tmp_path, lambda pipe: pipe.set_window(WINDOW))
    assert ("call", t_before) not in log, log  # made with the old settings: dropped, not filtered
    log = _after_two_calls(log)
    assert log[0] == ("reset", -1) and log[-1][0] == "call", log  # the change's reset before any frame
    assert all(t > t_before for kind, t in log if kind == "call"), log


def _after_two_calls(log: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """``log`` after the 2nd frame (the command came during the 3rd; the resets of the start before)."""
    calls = [j for j, (kind, _) in enumerate(log) if kind == "call"]
    return log[calls[1] + 1:]


def test_a_plugin_reset_that_raises_between_the_parts_is_said_and_the_run_goes_on(tmp_path, history):
    def reset_failing(pipe):
        History.fail_reset = True
        pipe.reset_state()

    warnings: list[str] = []
    t_before, log = _run_with_command_between_parts(tmp_path, reset_failing, warnings)
    assert any("'history': reset() failed: RuntimeError: lab filter" in w for w in warnings), warnings
    assert log[-1][0] == "call" and log[-1][1] > t_before + 200_000, log  # the rest of the recording ran
