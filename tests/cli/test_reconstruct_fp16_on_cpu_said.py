"""``evfocus reconstruct --precision fp16`` on the CPU ran fp32 in silence (the viewer says
the same choice cannot run there, in one line); no --precision (fp32 on a CPU) says nothing."""

from __future__ import annotations

import logging

from cli_support import reconstruct_model_config


def _fp16_lines(caplog):
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and "precision fp16" in r.getMessage()]


def test_fp16_on_the_cpu_is_said_once(monkeypatch, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    model = reconstruct_model_config(monkeypatch, tmp_path, "--precision", "fp16", "--device", "cpu")
    assert (model.precision, model.half) == ("fp32", True)
    lines = _fp16_lines(caplog)
    assert len(lines) == 1 and "running fp32 on the cpu" in lines[0], lines


def test_the_default_says_nothing(monkeypatch, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    reconstruct_model_config(monkeypatch, tmp_path, "--device", "cpu")
    assert _fp16_lines(caplog) == []
