"""A headless run's one ``running ...`` line says the device and precision; the setup lines that
said them again ("device auto -> cpu", "inference backend eager under bf16 autocast") are DEBUG
where they are logged. A filter that once moved them to DEBUG moved every INFO line of the
model's setup with them: a settings file's ``backend = "jit"`` under bf16 ran eager without its
"backend jit not used" line, unless ``-v``. That line is still said."""

from __future__ import annotations

import logging

from cli_support import write_aedat4

from evfocus_live.gui import app
from evfocus_live.nn import registry, runtime


def test_the_backend_asked_for_and_not_used_is_still_said(tmp_path, tiny_ckpt, caplog, monkeypatch):
    monkeypatch.setattr(registry, "_DEVICE_LOGGED", set())
    monkeypatch.setattr(runtime, "bf16_problem", lambda dev: None)  # (bf16 on any CPU: the line's case)
    cfg = tmp_path / "jit.toml"
    cfg.write_text('version = 1\n[model]\nbackend = "jit"\n')
    rec = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=200_000)
    with caplog.at_level(logging.INFO):
        assert app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none",
                         "--precision", "bf16", "--config", str(cfg)]) == 0
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert any("backend jit not used" in m for m in info), info
    said = [m for m in info if "device auto" in m or "inference backend" in m or m.startswith("running ")]
    assert len(said) == 1 and said[0].startswith("running "), said
