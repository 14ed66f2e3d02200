"""Inference runtime (nn.runtime): same outputs and state semantics as the plain model, safe fallbacks."""

from __future__ import annotations

import copy
import importlib.util
import logging
import os

import numpy as np
import pytest
import torch
from conftest import make_events

from evfocus_live.config import ModelConfig, PostConfig, WindowConfig
from evfocus_live.errors import ConfigError
from evfocus_live.nn import runtime
from evfocus_live.nn.runtime import InferenceModel, optimize_for_inference, set_threads
from evfocus_live.pipeline import Pipeline
from pipeline_support import ArraySource, SumModel
from runtime_support import assert_same, plain_run, small, voxels

ATOL = 1e-5
SMALL = {"evfocus": dict(base=4, kernel=3, num_deblur_blocks=1), "e2vid": dict(base=4),
         "firenet": dict(base=4)}


@pytest.fixture(autouse=True)
def _keep_threads():
    n = torch.get_num_threads()
    yield
    torch.set_num_threads(n)


@pytest.mark.parametrize("arch", ["evfocus", "e2vid", "firenet"])
def test_jit_matches_plain_with_state_carried(arch):
    model = small(arch)
    ref_model = copy.deepcopy(model)
    vox = voxels(5)
    runner = optimize_for_inference(model, "cpu", "jit")
    outs = [runner(x) for x in vox]
    assert runner.backend == "jit" and runner.fallback_reason is None
    assert runner._steps, "the traced step was never built"
    assert_same(outs, plain_run(ref_model, vox))
    # the state lives in the model (same structure and values as the plain model's)
    s_run = torch.utils._pytree.tree_leaves(model.states)
    s_ref = torch.utils._pytree.tree_leaves(ref_model.states)
    assert len(s_run) == len(s_ref) > 0
    assert max(float((a - b).abs().max()) for a, b in zip(s_run, s_ref)) <= ATOL
    # the state matters: the same voxel twice gives different frames
    assert float((outs[0]["image"] - plain_run(ref_model, vox[:1])[0]["image"]).abs().max()) > 1e-4


def test_reset_semantics_and_external_reset():
    model = small()
    runner = InferenceModel(model, "jit")
    vox = voxels(4)
    fresh = plain_run(copy.deepcopy(model), vox[:2])
    [runner(x) for x in vox]
    runner.reset_states()
    assert model.states is None
    assert_same([runner(x) for x in vox[:2]], fresh)
    [runner(x) for x in vox]
    model.reset_states()  # anyone resetting the model directly is honoured too
    assert_same([runner(x) for x in vox[:2]], fresh)
    assert len(runner._steps) == 1  # one build per input shape, reused after resets


def test_resolution_change_builds_a_new_step():
    model = small()
    ref = copy.deepcopy(model)
    runner = InferenceModel(model, "jit")
    a, b = voxels(3, 30, 40), voxels(3, 36, 50, seed=1)
    outs = [runner(x) for x in a] + [runner(x) for x in b]
    assert_same(outs, plain_run(ref, a) + plain_run(ref, b))
    assert len(runner._steps) == 2  # no throw-away step for the transition frame
    assert outs[-1]["image"].shape == (1, 1, 36, 50)


def test_onnx_matches_plain_or_falls_back():
    model = small()
    ref = copy.deepcopy(model)
    vox = voxels(4)
    runner = InferenceModel(model, "onnx")
    outs = [runner(x) for x in vox]
    assert_same(outs, plain_run(ref, vox))
    # a second resolution: the first export must leave the model as it was (eval mode)
    more = voxels(3, 36, 50, seed=2)
    assert_same([runner(x) for x in more], plain_run(ref, more))
    assert not model.training and "reblur" not in runner(more[0])
    if importlib.util.find_spec("onnxruntime") and importlib.util.find_spec("onnx"):
        assert runner.backend == "onnx", runner.fallback_reason
        assert len(runner._steps) == 2
    else:  # the optional extra is missing: the plain model runs, and says why
        assert runner.backend == "eager" and "onnx" in runner.fallback_reason.lower()


def test_build_failure_falls_back_silently(monkeypatch, caplog):
    def broken(fn, args):
        raise RuntimeError("no C++ compiler (injected)")

    monkeypatch.setitem(runtime.BUILDERS, "compile", broken)
    model = small()
    ref = copy.deepcopy(model)
    vox = voxels(4)
    runner = InferenceModel(model, "compile")
    with caplog.at_level(logging.WARNING, logger="evfocus_live.nn.runtime"):
        outs = [runner(x) for x in vox]
    assert_same(outs, plain_run(ref, vox))
    assert runner.backend == "eager" and "injected" in runner.fallback_reason
    assert sum("falling back" in r.getMessage() for r in caplog.records) == 1


def test_run_time_failure_falls_back_mid_sequence(monkeypatch):
    real = runtime.BUILDERS["jit"]
    calls = {"n": 0}

    def flaky(fn, args):
        step = real(fn, args)

        def run(*xs):
            calls["n"] += 1
            if calls["n"] > 3:  # the build frame (checked, used), two more frames, then it breaks
                raise RuntimeError("kernel crashed (injected)")
            return step(*xs)
        return run

    monkeypatch.setitem(runtime.BUILDERS, "jit", flaky)
    model = small()
    ref = copy.deepcopy(model)
    vox = voxels(6)
    runner = InferenceModel(model, "jit")
    outs = [runner(x) for x in vox]
    assert calls["n"] == 4 and runner.backend == "eager"
    assert_same(outs, plain_run(ref, vox))  # no frame lost, the state carried across the switch


def test_wrong_numerics_are_rejected(monkeypatch):
    real = runtime.BUILDERS["jit"]

    def off(fn, args):
        step = real(fn, args)
        return lambda *xs: tuple(r + 0.01 if i == 0 else r for i, r in enumerate(step(*xs)))

    monkeypatch.setitem(runtime.BUILDERS, "jit", off)
    model = small()
    ref = copy.deepcopy(model)
    vox = voxels(3)
    runner = InferenceModel(model, "jit")
    assert_same([runner(x) for x in vox], plain_run(ref, vox))
    assert runner.backend == "eager" and "differs" in runner.fallback_reason


def test_models_without_states_run_as_they_are():
    m = SumModel()
    runner = InferenceModel(m, "auto")
    assert runner.backend == "eager"
    x = torch.full((1, 5, 6, 8), 0.1)
    a = runner(x)["image"]
    b = runner(x)["image"]
    assert m.calls == 2 and float((b - a).abs().max()) > 0.01  # its own state is carried
    runner.reset_states()
    assert m.resets == 1


def test_auto_is_jit_on_cpu_and_unknown_backend_is_an_error():
    assert InferenceModel(small(), "auto").backend == "jit"
    with pytest.raises(ValueError, match="unknown inference backend"):
        InferenceModel(small(), "tensorrt")


def test_set_threads():
    assert set_threads(None) == runtime.default_threads() == torch.get_num_threads()
    assert set_threads(1) == 1 and torch.get_num_threads() == 1
    assert set_threads(10_000) == (os.cpu_count() or 1) == torch.get_num_threads()  # capped at the cores


def _run_pipe(model, backend):
    ev = make_events(40_000, width=40, height=30, duration_us=200_000)
    pipe = Pipeline(ArraySource(ev, 40, 30), WindowConfig(mode="duration", window_ms=20),
                    ModelConfig(name="evfocus", device="cpu", backend=backend, threads=1, precision="fp32"),
                    model_obj=model, post=PostConfig(steps=()))
    frames = list(pipe.frames())
    stats = pipe.stats
    pipe.close()
    return pipe, frames, stats


def test_pipeline_uses_the_runtime_and_keeps_its_outputs():
    model = small()
    pipe_e, plain, _ = _run_pipe(copy.deepcopy(model), "eager")
    pipe_j, fast, stats = _run_pipe(model, "jit")
    assert pipe_j.model is model and pipe_j.runner.module is model
    assert stats.backend == "jit" and stats.threads == 1 and torch.get_num_threads() == 1
    assert len(fast) == len(plain) >= 8
    for a, b in zip(fast, plain):
        assert a.t_us == b.t_us
        assert int(np.abs(a.image.astype(int) - b.image.astype(int)).max()) <= 1
        assert np.allclose(a.sigma, b.sigma, atol=1e-4)


def test_pipeline_rejects_unknown_backend():
    ev = make_events(1000, width=40, height=30)
    with pytest.raises(ConfigError, match="unknown inference backend"):
        Pipeline(ArraySource(ev, 40, 30), WindowConfig(mode="duration", window_ms=20),
                 ModelConfig(device="cpu", backend="nope"), model_obj=small(), post=PostConfig(steps=()))


def test_bench_row_compares_plain_and_optimised():
    from evfocus_live import benchmark

    (row,) = benchmark.bench_runtime([(40, 30)], repeats=1)
    d = row.as_dict()
    assert d["stage"] == "model forward, optimised" and d["resolution"] == "40x30"
    assert d["backend"] == "jit" and d["max_abs_diff"] <= ATOL
    assert d["value"] > 0 and d["ratio"] > 0 and d["plain_ms_per_frame"] > 0


def test_end_to_end_bench_times_the_pipelines_own_forward():
    from evfocus_live.benchmark import _TimedRunner

    runner = InferenceModel(small(), "jit")
    timed = _TimedRunner(runner)
    for x in voxels(3):
        out = timed(x)
    assert out["image"].shape == (1, 1, 30, 40)
    assert timed.seconds > 0 and timed.backend == "jit" and timed.config is runner.config


def test_bf16_is_close_and_keeps_fp32_state():
    model = small()
    ref = copy.deepcopy(model)
    vox = voxels(4)
    runner = InferenceModel(model, "auto", precision="bf16")
    if not runtime._bf16_fast():  # no native bf16 on this CPU: it must stay exact fp32
        assert runner.precision == "fp32" and runner.label == "jit"
        return
    assert runner.label == "eager/bf16"
    outs = [runner(x) for x in vox]
    ref_outs = plain_run(ref, vox)
    for o, r in zip(outs, ref_outs):
        for k in r:
            assert o[k].dtype == torch.float32
            assert float((o[k] - r[k]).abs().max()) < 0.05, k
    assert all(t.dtype == torch.float32 for t in torch.utils._pytree.tree_leaves(model.states))
    with pytest.raises(ValueError, match="unknown inference precision"):
        InferenceModel(small(), precision="fp8")


def test_auto_precision_follows_the_cpu():
    runner = InferenceModel(small(), "auto", precision="auto")
    assert runner.precision == ("bf16" if runtime._bf16_fast() else "fp32")
    assert ModelConfig().precision == "auto"


def test_pipeline_precision_option():
    ev = make_events(20_000, width=40, height=30, duration_us=100_000)
    pipe = Pipeline(ArraySource(ev, 40, 30), WindowConfig(mode="duration", window_ms=20),
                    ModelConfig(device="cpu", precision="bf16", threads=1), model_obj=small(),
                    post=PostConfig(steps=()))
    frames = list(pipe.frames())
    pipe.close()
    assert len(frames) >= 4 and frames[-1].image.dtype == np.uint8
    assert pipe.stats.backend == ("eager/bf16" if runtime._bf16_fast() else "jit")
    with pytest.raises(ConfigError, match="unknown inference precision"):
        Pipeline(ArraySource(ev, 40, 30), WindowConfig(mode="duration", window_ms=20),
                 ModelConfig(device="cpu", precision="int4"), model_obj=small(), post=PostConfig(steps=()))


class _TensorOut(torch.nn.Module):
    """A plain nn.Module returning a bare tensor (pipeline.process_window accepts that)."""

    def __init__(self):
        super().__init__()
        self.c = torch.nn.Conv2d(5, 1, 3, padding=1)

    def reset_states(self):
        pass

    def forward(self, v):
        return torch.sigmoid(self.c(v))


def test_bf16_handles_bare_tensor_outputs(monkeypatch):
    """Under bf16 a model returning a bare tensor raised AttributeError ("'Tensor' object has
    no attribute 'items'"), though it runs in fp32: its output now comes back as fp32."""
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: True)  # fake a CPU with native bf16
    torch.manual_seed(0)
    model = _TensorOut().eval()
    v = torch.rand(1, 5, 8, 8)
    runner = InferenceModel(model, "auto", precision="auto")
    assert runner.label == "eager/bf16"
    out = runner(v)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32 and out.shape == (1, 1, 8, 8)
    with torch.inference_mode():
        assert float((out - model(v)).abs().max()) < 0.05


def test_bf16_failure_falls_back_to_fp32_for_good(monkeypatch, caplog):
    """Any exception under autocast propagated; now it is logged once, the frame and all later
    ones run the plain model in fp32, and the recurrent state is the one from before."""
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: True)
    model = small()
    ref = copy.deepcopy(model)
    calls = {"bf16": 0}
    plain_forward = type(model).forward

    def forward(self, voxel):
        if torch.is_autocast_enabled("cpu"):
            calls["bf16"] += 1
            self._states = ["garbage"]  # a failure midway must not leave its state behind
            raise RuntimeError("no bf16 kernel for this op")
        return plain_forward(self, voxel)

    monkeypatch.setattr(type(model), "forward", forward)
    runner = InferenceModel(model, "auto", precision="bf16")
    vox = voxels(3)
    with caplog.at_level(logging.WARNING, logger="evfocus_live.nn.runtime"):
        outs = [runner(x) for x in vox]
    assert calls["bf16"] == 1 and runner.precision == "fp32" and runner.label == "eager"
    assert "no bf16 kernel" in runner.fallback_reason
    assert sum("bf16 inference failed" in r.getMessage() for r in caplog.records) == 1
    monkeypatch.setattr(type(model), "forward", plain_forward)
    for o, r in zip(outs, plain_run(ref, vox)):
        assert torch.allclose(o["image"], r["image"], atol=ATOL)
