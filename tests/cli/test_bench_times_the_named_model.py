"""`evfocus bench --models runs/my/final.pt`: the model-forward rows timed the student's model,
but the optimised-runtime and every end-to-end row (replay, --downsample, --roi) timed the
shipped `evfocus` under the same table, with nothing saying so. They now time the first model
--models names (with weights here); without --models, `evfocus` as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from evfocus_live import benchmark
from evfocus_live.nn.registry import build_model, save_checkpoint


@pytest.fixture
def timed(monkeypatch):
    """Which model each stage was asked to time (the stages themselves are not run)."""
    asked: dict[str, list[str]] = {"runtime": [], "end to end": []}
    replay = {"path": Path("unused"), "width": 1280, "height": 720, "events": None}
    monkeypatch.setattr(benchmark, "make_replays", lambda tmp, seconds: {"346x260": dict(replay, width=346,
                                                                                          height=260),
                                                                         "1280x720": replay})
    for name in ("bench_read", "bench_voxel", "bench_models", "bench_post_and_display"):
        monkeypatch.setattr(benchmark, name, lambda *a, **k: [])
    monkeypatch.setattr(benchmark, "bench_train_step", lambda *a, **k: [])
    monkeypatch.setattr(benchmark, "bench_runtime",
                        lambda res, rep, model_name="evfocus", **k: asked["runtime"].append(model_name) or [])
    monkeypatch.setattr(benchmark, "bench_end_to_end",
                        lambda replays, model_name, *a, **k: asked["end to end"].append(model_name) or [])
    return asked


def test_bench_times_the_checkpoint_it_was_given(tmp_path, timed):
    ckpt = tmp_path / "my run" / "final.pt"
    ckpt.parent.mkdir()
    save_checkpoint(ckpt, build_model("firenet", {"base": 4}), {"step": 1})
    benchmark.run(quick=True, models=[str(ckpt)], threads=1)
    assert timed["runtime"] == [str(ckpt)]
    assert timed["end to end"] == [str(ckpt)] * 3  # the replay, --downsample 2 and --roi rows


def test_bench_without_models_times_the_default(timed):
    benchmark.run(quick=True, models=None, threads=1)
    assert timed["runtime"] == ["evfocus"] and timed["end to end"] == ["evfocus"] * 3
