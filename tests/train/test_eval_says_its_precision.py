"""A fine-tuned model's eval scores beside the viewer's frames: the viewer ran it in bf16 (its
``--precision auto`` on a CPU with native bf16), and the report did not say that it scored the
models in fp32, or on which device. report.md's first line and report.json say both now."""

from __future__ import annotations

import json

import torch

from evfocus_live.train.evaluate import _ran_on, markdown_report


def test_the_report_names_device_and_precision():
    text = markdown_report(None, None, ["evfocus"], device="cpu")
    assert "The models ran in fp32 on cpu" in text.splitlines()[2], text


def test_report_json_fields_come_from_the_torch_models():
    assert _ran_on({"a": torch.nn.Conv2d(1, 1, 1)}) == {"device": "cpu", "precision": "fp32"}
    assert _ran_on({"plugin": object()}) == {}
    json.dumps(_ran_on({"a": torch.nn.Conv2d(1, 1, 1)}))
