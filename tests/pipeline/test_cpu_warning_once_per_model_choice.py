"""The "N M parameters run at 1 to 5 frames per second on a CPU" warning was said again at
every source switch and precision change of the viewer (~20 times in 3 minutes of switching).
Now once per model choice: again only when another model (or device) is chosen."""

from __future__ import annotations

import logging

import pytest
import torch
from conftest import make_events
from gui_support import make_window, wait_frames
from pipeline_support import NO_POST, ArraySource

from evfocus_live.config import ModelConfig, WindowConfig
from evfocus_live.gui.session import DirectIntegration, LiveSession
from evfocus_live.pipeline import CPU_REALTIME_PARAMS, Pipeline


class Heavy(DirectIntegration):
    """Direct integration carrying more parameters than a CPU runs in real time (unused)."""

    def __init__(self):
        super().__init__()
        self.ballast = torch.nn.Parameter(torch.zeros(CPU_REALTIME_PARAMS + 1), requires_grad=False)


def _source():
    return ArraySource(make_events(2_000, 64, 48, duration_us=100_000), 64, 48)


def _said(caplog) -> int:
    return sum("frames per second on a CPU" in r.getMessage() for r in caplog.records
               if r.levelno >= logging.WARNING)


def test_the_pipeline_says_it_once_per_model_choice(caplog):
    model = Heavy()
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        p = Pipeline(_source(), WindowConfig(), ModelConfig(device="cpu"), NO_POST, model_obj=model)
        assert _said(caplog) == 1 and p.cpu_warning_new and p.cpu_warned == p.model_cfg.name
        p.set_model(model, config=p.model_cfg)  # a precision change rebuilds the same choice
        assert _said(caplog) == 1 and p.cpu_warning and not p.cpu_warning_new
        q = Pipeline(_source(), WindowConfig(), ModelConfig(device="cpu"), NO_POST, model_obj=model,
                     cpu_warned=p.cpu_warned)  # the viewer's next source
        assert _said(caplog) == 1 and q.cpu_warning and not q.cpu_warning_new
        q.set_model(DirectIntegration(), config=q.model_cfg)  # another model: none to say ...
        assert q.cpu_warned is None
        q.set_model(model, config=q.model_cfg)  # ... and this one chosen again: said again
        assert _said(caplog) == 2


@pytest.mark.gui
def test_a_source_switch_in_the_viewer_does_not_say_it_again(qtbot, tmp_path):
    from evfocus_plugin_pattern import PatternSource

    win = make_window(qtbot, tmp_path, PatternSource(width=64, height=48), Heavy(),
                      window=WindowConfig(mode="events", window_events=1500))
    wait_frames(qtbot, win, 1)
    win.open_source(PatternSource(width=64, height=48))
    wait_frames(qtbot, win, 1)
    said = [m for m in win.status_log if "frames per second on a CPU" in m]
    assert len(said) == 1, said
    win.close()


def test_a_session_given_the_choice_said_does_not_queue_it(tmp_path):
    model = Heavy()
    first = LiveSession(_source(), WindowConfig(), ModelConfig(device="cpu"), NO_POST, model_obj=model)
    assert any("on a CPU" in t for _, t in first.messages)
    s = LiveSession(_source(), WindowConfig(), ModelConfig(device="cpu"), NO_POST, model_obj=model,
                    cpu_warned=first.pipeline.cpu_warned)
    assert s.pipeline.cpu_warning and not any("on a CPU" in t for _, t in s.messages)
    first.stop()
    s.stop()
