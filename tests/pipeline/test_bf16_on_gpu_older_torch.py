"""``bf16_supported("cuda")`` asked ``torch.cuda.is_bf16_supported(including_emulation=False)``,
a keyword torch has only from 2.4; the project takes torch 2.2, where the TypeError was
swallowed as "no bf16": ``--precision bf16`` on an A100 ran fp32, saying the GPU had none."""

from __future__ import annotations

import torch

from evfocus_live.nn import runtime


def _gpu(monkeypatch, capability):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)

    def is_bf16_supported():  # (torch 2.2's: no keyword)
        return capability[0] >= 8

    monkeypatch.setattr(torch.cuda, "is_bf16_supported", is_bf16_supported)


def test_an_ampere_gpu_has_bf16_under_torch_2_2(monkeypatch):
    _gpu(monkeypatch, (8, 0))
    assert runtime.bf16_supported("cuda")
    assert runtime.bf16_problem("cuda") is None


def test_a_turing_gpu_has_none(monkeypatch):
    _gpu(monkeypatch, (7, 5))
    assert not runtime.bf16_supported("cuda")
    assert "compute capability 8.0" in runtime.bf16_problem("cuda")
