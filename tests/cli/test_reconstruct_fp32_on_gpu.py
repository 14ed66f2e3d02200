"""``evfocus reconstruct --precision fp32`` on a GPU ran fp16 without a word: fp32 was the
option's default, so an explicit choice could not be told from none, and ``ModelConfig.half``
(fp16 on CUDA) stayed on. An explicit fp32 now runs fp32 there; no choice keeps fp16 on a GPU
and fp32 on a CPU. No GPU here: the model config handed to the pipeline is recorded."""

from __future__ import annotations

import pytest
from cli_support import reconstruct_model_config


@pytest.mark.parametrize("given, precision, half", [
    (None, "fp32", True),  # not given: fp16 on a GPU (half), fp32 on a CPU (half is CUDA's only)
    ("fp32", "fp32", False),  # asked for: fp32 on a GPU too
    ("auto", "auto", True),
    ("bf16", "bf16", False),  # bf16 on a GPU too, as the viewer's (it ran fp16: test_bf16_means_bf16_everywhere)
])
def test_an_explicit_fp32_turns_the_gpus_fp16_off(tmp_path, monkeypatch, given, precision, half):
    model = reconstruct_model_config(monkeypatch, tmp_path, *(["--precision", given] if given else []))
    assert model.precision == precision
    assert model.half is half
