"""Training's ``amp = "auto"`` picked bf16 by ``torch.cuda.is_bf16_supported()``, which from
torch 2.4 says True on a GPU that only emulates bf16 (a T4, compute capability 7.5: slow, and
cuDNN has no bf16 convolutions there); its docstring meant fp16 with loss scaling. It now asks
inference's rule (``runtime.bf16_supported``: native bf16, compute capability 8.0+)."""

from __future__ import annotations

import torch


def _t4(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a, **k: (7, 5))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a, **k: "Tesla T4")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: including_emulation)


def test_auto_trains_fp16_on_a_gpu_that_emulates_bf16(monkeypatch):
    from evfocus_live.train.trainer import _amp_dtype

    _t4(monkeypatch)
    assert _amp_dtype(torch.device("cuda"), "auto") == torch.float16
