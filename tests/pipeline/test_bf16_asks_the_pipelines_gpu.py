"""``bf16_supported("cuda")`` asked the *current* CUDA device, not the pipeline's ``cuda:N``: on
a machine with a T4 as device 0 and an A100 as device 1, a run on ``cuda:1`` was told "no bf16"
(and the other way round, bf16 asked of a T4). It now asks the device's index."""

from __future__ import annotations

import torch

from evfocus_live.gui.precision import precision_problem
from evfocus_live.nn import runtime
from evfocus_live.train import trainer

CAPABILITY = {0: (7, 5), 1: (8, 0)}  # (a T4 first, an A100 second)


def _two_gpus(monkeypatch, current: int = 0):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: current)

    def get_device_capability(device=None):
        if device is None:
            return CAPABILITY[current]
        return CAPABILITY[torch.device(device).index if not isinstance(device, int) else device]

    monkeypatch.setattr(torch.cuda, "get_device_capability", get_device_capability)


def test_the_named_gpu_is_asked(monkeypatch):
    _two_gpus(monkeypatch, current=0)
    assert runtime.bf16_supported("cuda:1")
    assert runtime.bf16_supported(torch.device("cuda", 1))
    assert runtime.bf16_problem("cuda:1") is None
    assert not runtime.bf16_supported("cuda:0")
    assert "compute capability 8.0" in runtime.bf16_problem(torch.device("cuda", 0))


def test_plain_cuda_is_the_current_gpu(monkeypatch):
    _two_gpus(monkeypatch, current=1)
    assert runtime.bf16_supported("cuda")
    _two_gpus(monkeypatch, current=0)
    assert not runtime.bf16_supported("cuda")


def test_the_viewer_and_training_ask_their_gpu(monkeypatch):
    _two_gpus(monkeypatch, current=0)
    assert precision_problem("bf16", torch.device("cuda", 1)) is None
    assert precision_problem("bf16", "cuda:0") is not None
    assert trainer._amp_dtype(torch.device("cuda", 1)) is torch.bfloat16
    assert trainer._amp_dtype(torch.device("cuda", 0)) is torch.float16


def test_unknown_devices_have_no_bf16():
    assert not runtime.bf16_supported("nonsense")
    assert "does not run on nonsense" in runtime.bf16_problem("nonsense")
