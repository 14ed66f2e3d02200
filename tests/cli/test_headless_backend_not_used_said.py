"""A headless run moves the setup lines that its one ``running ...`` line says again ("device
auto -> cpu", "inference backend eager under bf16 autocast") to DEBUG. It moved every INFO line
of the model's setup with them: a settings file's ``backend = "jit"`` under bf16 ran eager
without its "backend jit not used" line, unless ``-v``. Only the repeated lines are DEBUG now."""

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


def test_only_the_lines_running_says_again_are_debug(caplog):
    run_log = logging.getLogger("evfocus_live.nn.runtime")
    with caplog.at_level(logging.DEBUG), app._what_runs_said_once():
        logging.getLogger("evfocus_live.nn.registry").info("device auto -> %s%s", "cpu", "")
        run_log.info("inference backend eager under bf16 autocast (this %s has native bf16)", "CPU")
        run_log.info("%s: no states property, running it as is (eager)", "PluginNet")
    levels = {r.getMessage(): r.levelno for r in caplog.records}
    assert levels["device auto -> cpu"] == logging.DEBUG
    assert levels["inference backend eager under bf16 autocast (this CPU has native bf16)"] == logging.DEBUG
    assert levels["PluginNet: no states property, running it as is (eager)"] == logging.INFO
