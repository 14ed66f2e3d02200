"""A model whose forward raises in fp32 as under bf16 autocast (a plugin's bug) was said as
"bf16 inference failed (...): running fp32 from now on" before its real error line, sending
its author to look at precision. Only a fault that fp32 does not share is blamed on bf16."""

from __future__ import annotations

import logging

import pytest
import torch

import evfocus_live.nn.runtime as runtime
from evfocus_live.nn.runtime import InferenceModel


class Broken(torch.nn.Module):
    def reset_states(self):
        pass

    def forward(self, voxel):
        raise ValueError("bad weights layout")


class Bf16Only(Broken):
    """Fails under autocast only (an op without a bf16 kernel)."""

    def forward(self, voxel):
        if torch.is_autocast_enabled("cpu"):
            raise RuntimeError("no bf16 kernel")
        return {"image": torch.sigmoid(voxel.sum(1, keepdim=True))}


@pytest.fixture(autouse=True)
def bf16_anywhere(monkeypatch):
    monkeypatch.setattr(runtime, "bf16_problem", lambda device: None)  # (autocast runs on any CPU)


def test_a_model_failing_in_fp32_too_is_not_blamed_on_bf16(caplog):
    runner = InferenceModel(Broken(), precision="bf16")
    assert runner.precision == "bf16"
    with caplog.at_level(logging.WARNING, "evfocus_live.nn.runtime"), pytest.raises(ValueError, match="bad weights"):
        runner(torch.zeros(1, 5, 8, 8))
    assert not [r for r in caplog.records if "bf16" in r.getMessage()], caplog.text


def test_a_bf16_only_fault_still_falls_back_to_fp32_and_says_so(caplog):
    runner = InferenceModel(Bf16Only(), precision="bf16")
    with caplog.at_level(logging.WARNING, "evfocus_live.nn.runtime"):
        out = runner(torch.zeros(1, 5, 8, 8))
    assert out["image"].shape == (1, 1, 8, 8) and runner.precision == "fp32"
    assert "bf16 inference failed (RuntimeError: no bf16 kernel)" in caplog.text
