"""`evfocus bench`'s training-step row: bf16 autocast against fp32 in the same process, on a
CPU with native bf16 (what ``[train] amp = "auto"`` trains in there); no row elsewhere. The
probe is faked both ways; its timings are not tested, only what the row holds."""

from __future__ import annotations

import pytest
import torch

from conftest import TINY
from evfocus_live import benchmark
from evfocus_live.nn import runtime
from evfocus_live.nn.registry import build_model
from evfocus_live.train import trainer

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def tiny_evfocus(monkeypatch):
    """The bench's model (the shipped light evfocus) as a tiny one: the row, not the speed, is tested."""
    torch.manual_seed(0)
    model = build_model("evfocus", TINY)
    monkeypatch.setattr(benchmark, "_model_list", lambda names: [("evfocus", model)])
    return model


def test_train_step_row_compares_bf16_with_fp32_in_one_run(tiny_evfocus, monkeypatch):
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: True)
    ran, chunk_loss = [], trainer.chunk_loss

    def spy(net, sub, weights, amp_dtype, *a, **kw):  # the training loop's own step, in both precisions
        ran.append((amp_dtype, tuple(sub["voxel"].shape)))
        return chunk_loss(net, sub, weights, amp_dtype, *a, **kw)

    monkeypatch.setattr(trainer, "chunk_loss", spy)
    (row,) = benchmark.bench_train_step(1, windows=3)
    # the stage-4 recipe's size: batch 2, 128 px crops, 5 bins; three rounds (the first not timed), interleaved
    assert ran == [(None, (2, 3, 5, 128, 128)), (torch.bfloat16, (2, 3, 5, 128, 128))] * 3
    assert (row.stage, row.resolution, row.unit, row.baseline) == (
        "training step, bf16 autocast", "128x128", "steps/s", "fp32 training step")
    x = row.extra
    assert x["model"] == "evfocus" and x["config"] == "evfocus-stage4" and (x["batch"], x["windows"]) == (2, 3)
    assert row.value == pytest.approx(1e3 / x["ms_per_step"], rel=0.01)
    assert row.ratio == pytest.approx(x["fp32_ms_per_step"] / x["ms_per_step"], rel=0.01)
    # the first step of both (same weights, same batch): bf16 moves the loss by little
    assert 0 < x["loss_fp32"] and x["loss_bf16"] == pytest.approx(x["loss_fp32"], rel=0.05)


def test_no_train_step_row_without_native_bf16(tiny_evfocus, monkeypatch):
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: False)
    assert benchmark.bench_train_step(1, windows=3) == []


def test_quick_bench_has_the_train_step_row_with_short_chunks(tiny_evfocus, monkeypatch):
    """`evfocus bench --quick` (every other stage stubbed) times 4-window chunks, the full one 10."""
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: True)
    for stage in ("bench_read", "bench_voxel", "bench_models", "bench_runtime", "bench_post_and_display",
                  "bench_end_to_end"):
        monkeypatch.setattr(benchmark, stage, lambda *a, **k: [])
    monkeypatch.setattr(benchmark, "make_replays", lambda tmp, seconds: {})
    res = benchmark.run(quick=True, threads=1)
    (row,) = [r for r in res["rows"] if r["stage"] == "training step, bf16 autocast"]
    assert row["windows"] == 4 and row["ratio"] > 0
    assert "| training step, bf16 autocast | 128x128 | evfocus |" in benchmark.format_table(res)
