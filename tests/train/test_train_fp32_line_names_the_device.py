"""``[train] device = "auto"`` that falls back to the CPU (no CUDA, a broken driver) was said by
``device auto -> cpu`` at INFO; that line is DEBUG now (the callers say what runs), and a run in
fp32 said only ``training in fp32 ([train] amp = "off")``: hours of CPU training with no word of
the device. The start line names it, as the autocast one did."""

from __future__ import annotations

import torch

from evfocus_live.train.trainer import _precision_line


def test_the_fp32_start_line_names_the_device():
    for device in (torch.device("cpu"), torch.device("cuda:1")):
        for amp in ("off", "auto"):
            assert f"training in fp32 on {device} (" in _precision_line(device, amp, None)[1]
