"""``evfocus reconstruct --precision bf16`` on a GPU ran fp16 (``half`` stayed on), while the
viewer's bf16 (and a settings file's ``[model] precision = "bf16"``) ran fp32 there. One rule
now, shared: bf16 runs bf16 where the device has it natively (a CPU with AVX512-BF16/AMX, a
GPU of compute capability 8.0+), else fp32 with one warning line naming the fallback. No GPU
here: the device's bf16 capability is faked and the model stays on the CPU."""

from __future__ import annotations

import logging

import pytest
import torch
from cli_support import reconstruct_model_config

import evfocus_live.nn.runtime as runtime
from evfocus_live.config import ModelConfig
from evfocus_live.gui.precision import precision_problem, with_precision
from evfocus_live.nn.runtime import InferenceModel, device_precision


def _gpu_bf16(monkeypatch, native: bool) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (8, 0) if native else (7, 5))


def test_the_cli_the_viewer_and_a_settings_file_ask_the_gpu_for_the_same_bf16(monkeypatch, tmp_path):
    cli = reconstruct_model_config(monkeypatch, tmp_path, "--precision", "bf16")
    viewer = with_precision(ModelConfig(), "bf16")
    cfg = tmp_path / "s.toml"
    cfg.write_text('[model]\nprecision = "bf16"\n')
    from_file = reconstruct_model_config(monkeypatch, tmp_path, "--config", str(cfg))
    for model in (cli, viewer, from_file):
        assert (model.precision, model.half) == ("bf16", False), model
        assert device_precision(model.precision, model.half, "cuda") == ("bf16", False)  # not fp16
    # the GPU's default stays fp16, an explicit fp32 fp32
    default = reconstruct_model_config(monkeypatch, tmp_path)
    assert device_precision(default.precision, default.half, "cuda") == ("fp32", True)
    fp32 = reconstruct_model_config(monkeypatch, tmp_path, "--precision", "fp32")
    assert device_precision(fp32.precision, fp32.half, "cuda") == ("fp32", False)


@pytest.mark.parametrize("native", [True, False])
def test_bf16_runs_on_a_gpu_with_it_else_fp32_said_once(monkeypatch, caplog, native):
    _gpu_bf16(monkeypatch, native)
    monkeypatch.setattr(runtime, "_device_of", lambda model: torch.device("cuda", 0))
    caplog.set_level(logging.WARNING)
    runner = InferenceModel(torch.nn.Conv2d(1, 1, 1), "auto", precision="bf16")
    warned = [r.getMessage() for r in caplog.records]
    if native:
        assert runner.precision == "bf16" and runner._autocast == "cuda" and warned == []
        assert precision_problem("bf16", "cuda") is None
    else:
        assert runner.precision == "fp32"
        assert warned == ["precision bf16 needs a GPU with bf16 (compute capability 8.0+), this one has none: "
                          "running fp32"]
        assert precision_problem("bf16", "cuda") == warned[0]  # (the viewer's status bar: the same line)


def test_a_cpu_without_native_bf16_says_the_same_kind_of_line(monkeypatch, caplog):
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: False)
    caplog.set_level(logging.WARNING)
    runner = InferenceModel(torch.nn.Conv2d(1, 1, 1), "auto", precision="bf16")
    assert runner.precision == "fp32"
    assert [r.getMessage() for r in caplog.records] == [precision_problem("bf16", "cpu")]
    assert "running fp32" in precision_problem("bf16", "cpu")
