"""The device and precision a run picks are said once, by the command that runs the model
(``running evfocus on cpu in bf16``); the layers below log their routine choices ("device auto
-> cpu", "inference backend eager under bf16 autocast") at DEBUG. A headless run used to turn
those two INFO lines into DEBUG with a filter that matched their text; ``evfocus reconstruct``
and ``evfocus eval --device auto`` said only "device auto -> cpu", from the model loader."""

from __future__ import annotations

import logging

import pytest
from cli_support import write_aedat4

from evfocus_live.nn import registry, runtime
from evfocus_live.nn.registry import build_model, resolve_device

pytestmark = pytest.mark.usefixtures("one_torch_thread")

#: the INFO lines that name the device or precision a run picked
SETUP = ("device auto", "inference backend eager", "running ")


def _said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno >= logging.INFO and r.getMessage().startswith(SETUP)]


def test_the_device_auto_picks_is_debug(monkeypatch, caplog):
    monkeypatch.setattr(registry, "_DEVICE_LOGGED", set())
    with caplog.at_level(logging.DEBUG, logger="evfocus_live.nn.registry"):
        dev = resolve_device("auto")
    lines = [(r.levelno, r.getMessage()) for r in caplog.records if r.getMessage().startswith("device auto")]
    assert len(lines) == 1 and lines[0][0] == logging.DEBUG, lines
    assert lines[0][1].startswith(f"device auto -> {dev.type}"), lines


def test_bf16_autocast_chosen_is_debug_and_a_backend_not_used_stays_info(monkeypatch, caplog):
    monkeypatch.setattr(runtime, "bf16_problem", lambda dev: None)  # (bf16 on any CPU: the line's case)
    model = build_model("firenet", {"base": 2}).eval()
    with caplog.at_level(logging.DEBUG, logger="evfocus_live.nn.runtime"):
        runner = runtime.InferenceModel(model, "jit", precision="bf16")
    assert runner.precision == "bf16"
    levels = {r.getMessage(): r.levelno for r in caplog.records}
    assert levels["inference backend eager under bf16 autocast (this CPU has native bf16)"] == logging.DEBUG
    assert levels["bf16 runs the plain model under autocast: backend jit not used"] == logging.INFO


def test_bf16_the_cpu_lacks_stays_a_warning(monkeypatch, caplog):
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: False)
    model = build_model("firenet", {"base": 2}).eval()
    with caplog.at_level(logging.DEBUG, logger="evfocus_live.nn.runtime"):
        runner = runtime.InferenceModel(model, "eager", precision="bf16")
    assert runner.precision == "fp32"
    assert [r.levelno for r in caplog.records if "bf16" in r.getMessage()] == [logging.WARNING]


def test_reconstruct_says_what_runs_once(tmp_path, tiny_ckpt, caplog, monkeypatch):
    from evfocus_live.cli import main

    monkeypatch.setattr(registry, "_DEVICE_LOGGED", set())  # (said once a process: this run's first)
    recs = [write_aedat4(tmp_path / f"rec{i}.aedat4", n=20_000, duration_us=200_000) for i in range(2)]
    with caplog.at_level(logging.INFO):
        assert main(["reconstruct", *map(str, recs), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
                     "--device", "auto", "--window-ms", "50", "--no-progress"]) == 0
    assert _said(caplog) == [f"running {tiny_ckpt} on cpu in fp32"], _said(caplog)


def test_reconstruct_in_bf16_says_it_once(tmp_path, tiny_ckpt, caplog, monkeypatch):
    from evfocus_live.cli import main

    monkeypatch.setattr(runtime, "bf16_problem", lambda dev: None)
    rec = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=200_000)
    with caplog.at_level(logging.INFO):
        assert main(["reconstruct", str(rec), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
                     "--device", "cpu", "--precision", "bf16", "--window-ms", "50", "--no-progress"]) == 0
    assert _said(caplog) == [f"running {tiny_ckpt} on cpu in bf16"], _said(caplog)


def test_eval_on_device_auto_says_the_device_once(tmp_path, tiny_ckpt, caplog, monkeypatch):
    from evfocus_live.cli import main

    monkeypatch.setattr(registry, "_DEVICE_LOGGED", set())
    rec = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=500_000)
    with caplog.at_level(logging.INFO):
        assert main(["eval", "--models", str(tiny_ckpt), "--data", str(rec), "--device", "auto",
                     "--warmup", "0", "--max-windows", "2", "--no-progress"]) == 0
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO and "device" in r.getMessage()]
    assert said == ["device auto -> cpu: the models are scored there"], said
