"""README's first command on a machine with no display (a headless run on the default device)
logged the device and precision three times at start: "device auto -> cpu", the runtime's
"inference backend eager under bf16 autocast ..." and "running evfocus on cpu in bf16". The
last line says them once; the others are DEBUG (``-v``) where they are logged."""

from __future__ import annotations

import logging

from cli_support import write_aedat4

from evfocus_live.gui import app
from evfocus_live.gui.precision import what_runs
from evfocus_live.nn import registry


def test_device_and_precision_said_in_one_line(tmp_path, tiny_ckpt, caplog, monkeypatch):
    monkeypatch.setattr(registry, "_DEVICE_LOGGED", set())  # (said once a process: this test's run says it)
    rec = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=200_000)
    with caplog.at_level(logging.INFO):
        assert app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none"]) == 0
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    said = [m for m in info if "device auto" in m or "inference backend" in m or m.startswith("running ")]
    assert len(said) == 1 and said[0].startswith("running "), said
    assert said[0].endswith((" in fp32", " in bf16")), said


def test_with_verbose_the_setup_lines_are_debug(tmp_path, tiny_ckpt, caplog, monkeypatch):
    monkeypatch.setattr(registry, "_DEVICE_LOGGED", set())
    rec = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=200_000)
    with caplog.at_level(logging.DEBUG):
        assert app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none", "-v"]) == 0
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any(m.startswith("device auto -> ") for m in debug), debug


def test_a_gpu_is_named_in_that_line(monkeypatch):
    import types

    import torch

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda dev=None: "NVIDIA H200")
    pipe = types.SimpleNamespace(device=torch.device("cuda"), half=True)
    assert what_runs("evfocus", pipe) == "running evfocus on cuda (NVIDIA H200) in fp16"
