"""Pipeline behaviour that must not depend on whether the CPU has native bf16.

``precision="auto"`` (the viewer's and the pipeline's default) runs bf16 autocast on a CPU with
native bf16 (AVX512-BF16/AMX) and fp32 elsewhere; CI machines come with either. These tests
run both paths on any machine by setting what the runtime reads of the CPU.
"""

from __future__ import annotations

import logging

import pytest
import torch

from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel
from evfocus_live.config import WindowConfig
from evfocus_live.nn import runtime
from evfocus_live.nn.registry import build_model
from evfocus_live.pipeline import Pipeline



@pytest.fixture(params=[True, False], ids=["native-bf16", "no-bf16"])
def cpu_bf16(request, monkeypatch):
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: request.param)
    return request.param


def test_out_of_memory_under_bf16_is_not_taken_for_a_bf16_failure(cpu_bf16):
    """An OOM under bf16 autocast went to the bf16 fallback ("bf16 inference failed: running
    fp32", which needs more memory), not to the pipeline's out-of-memory path."""
    ev = make_events(5000, width=32, height=24, duration_us=30_000)
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=10),
                    model=SumModel(oom_at={1}), post=NO_POST)
    frames = list(pipe.frames())
    assert pipe.runner.precision == ("bf16" if cpu_bf16 else "fp32")
    assert len(frames) == 3
    assert "out of memory" in pipe.stats.last_fault and pipe.stats.device == "cpu"
    assert pipe.runner.fallback_reason is None


def test_runner_says_what_runs_on_either_cpu(cpu_bf16, caplog):
    """-v shows an ``inference backend`` line on both kinds of CPU (with native bf16 nothing
    said what ran: the traced step's "ready" line never comes under autocast, and a test that
    waited for it timed out on such a machine)."""
    model = build_model("evfocus", {"base": 4}).eval()
    with caplog.at_level(logging.DEBUG, logger="evfocus_live.nn.runtime"):  # (-v: bf16's line is DEBUG)
        runner = runtime.optimize_for_inference(model, "cpu", precision="auto")
        for _ in range(3):
            runner(torch.rand(1, 5, 24, 32))
    lines = [r.getMessage() for r in caplog.records if "inference backend" in r.getMessage()]
    assert lines, [r.getMessage() for r in caplog.records]
    assert ("bf16" in lines[0]) == cpu_bf16
