"""A model card's hardware line for a GPU run with ``[train] amp = "off"``: it read "H100, off
autocast"; a CPU run's line (this session) already says fp32 there."""

from __future__ import annotations

from evfocus_live.train.card import _hardware


def test_a_gpu_run_in_fp32_says_fp32_not_off_autocast():
    line = _hardware({"device": "cuda:0", "amp": "off", "hardware": "NVIDIA H100"})
    assert "fp32" in line and "off autocast" not in line, line
    assert _hardware({"device": "cuda:0", "amp": "bfloat16", "hardware": "NVIDIA H100"}) == (
        "NVIDIA H100, bfloat16 autocast (models/train_gpu.sh)")
