"""``[train] amp = "auto"`` on the CPU: bf16 autocast where the CPU has native bf16 (the probe
inference's precision "auto" uses), fp32 elsewhere; the run says which at its start, a resumed
run says when its precision changed, and the model card names the precision of a CPU run.
The probe is faked both ways, so these pass on CPUs with and without native bf16."""

from __future__ import annotations

import logging

import pytest
import torch
from train_support import tiny_cfg, tiny_data  # noqa: F401 (a fixture)

from evfocus_live.nn import runtime
from evfocus_live.train import trainer
from evfocus_live.train.card import _hardware
from evfocus_live.train.trainer import _amp_dtype, train

pytestmark = pytest.mark.usefixtures("one_torch_thread")

CPU = torch.device("cpu")


@pytest.fixture(params=[True, False], ids=["native-bf16", "no-bf16"])
def native_bf16(request, monkeypatch):
    """This CPU faked as one with native bf16 (AVX512-BF16/AMX) and as one without."""
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: request.param)
    return request.param


def test_auto_is_bf16_on_a_cpu_with_native_bf16_and_fp32_elsewhere(native_bf16):
    assert _amp_dtype(CPU, "auto") == (torch.bfloat16 if native_bf16 else None)
    assert _amp_dtype(CPU) == _amp_dtype(CPU, "auto")  # the default
    assert _amp_dtype(CPU, "off") is None  # fp32, asked for
    assert _amp_dtype(CPU, "bf16") == torch.bfloat16  # asked for by name: on any CPU


def _autocast_seen(monkeypatch) -> list[bool]:
    """Whether each chunk's forward ran under CPU autocast (what the meta says is not enough)."""
    seen, forward = [], trainer.Unroll.forward

    def spy(self, *a, **kw):
        seen.append(torch.is_autocast_enabled("cpu"))
        return forward(self, *a, **kw)

    monkeypatch.setattr(trainer.Unroll, "forward", spy)
    return seen


def test_a_run_says_its_precision_at_the_start_and_trains_in_it(native_bf16, tiny_data, tmp_path, monkeypatch,
                                                                 caplog):
    seen = _autocast_seen(monkeypatch)
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        s = train(tiny_cfg(tiny_data, tmp_path / "run", steps=2), progress=False)
    said = [r for r in caplog.records if r.getMessage().startswith("training ")]
    assert len(said) == 1 and said[0].levelno == logging.INFO
    if native_bf16:
        assert said[0].getMessage() == ('training under bf16 autocast on cpu (this CPU has native bf16); '
                                        '[train] amp = "off" trains in fp32')
        assert s["amp"] == "bfloat16" and seen == [True, True]
    else:
        assert said[0].getMessage() == "training in fp32 on cpu (this CPU has no native bf16)"
        assert s["amp"] == "off" and seen == [False, False]


def test_amp_off_trains_fp32_and_bf16_without_native_bf16_is_a_warning(native_bf16, tiny_data, tmp_path,
                                                                       monkeypatch, caplog):
    seen = _autocast_seen(monkeypatch)
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        s = train(tiny_cfg(tiny_data, tmp_path / "off", steps=1, amp="off"), progress=False)
    assert s["amp"] == "off" and seen == [False]
    assert 'training in fp32 on cpu ([train] amp = "off")' in caplog.messages
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        s = train(tiny_cfg(tiny_data, tmp_path / "bf16", steps=1, amp="bf16"), progress=False)
    assert s["amp"] == "bfloat16"
    (said,) = [r for r in caplog.records if r.getMessage().startswith("training ")]
    if native_bf16:
        assert said.levelno == logging.INFO and "(this CPU has native bf16)" in said.getMessage()
    else:
        assert said.levelno == logging.WARNING
        assert "without native bf16" in said.getMessage() and 'amp = "off" trains in fp32' in said.getMessage()


def test_resume_in_another_precision_says_so_and_goes_on(tiny_data, tmp_path, monkeypatch, caplog):
    """A last.pt trained in fp32 (a CPU without native bf16, or "auto" before it meant bf16
    there) resumed on a CPU with it: the rest trains in bf16 (the weights and Adam's state are
    fp32 either way), and the run says so, with how to keep fp32. The same precision: no word."""
    out = tmp_path / "run"
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: False)
    train(tiny_cfg(tiny_data, out, steps=2), progress=False)
    monkeypatch.setattr(runtime, "_bf16_fast", lambda: True)
    with caplog.at_level(logging.WARNING, logger="evfocus_live"):
        s = train(tiny_cfg(tiny_data, out, steps=3), resume=True, progress=False)
    assert s["step"] == 3 and s["amp"] == "bfloat16"
    assert [m for m in caplog.messages if "trained in" in m] == [
        f'--resume: {out / "last.pt"} trained in fp32 so far; the rest of the run trains in bf16 autocast '
        '([train] amp = "off" keeps fp32)']
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="evfocus_live"):
        train(tiny_cfg(tiny_data, out, steps=4), resume=True, progress=False)
    assert not [m for m in caplog.messages if "trained in" in m]


def test_card_names_the_precision_of_a_cpu_run():
    """A CPU run under bf16 autocast (``amp = "auto"`` on a CPU with native bf16) read as fp32:
    the card gave only its threads. GPU runs' text is as before."""
    cpu = {"device": "cpu", "hardware": "Xeon", "torch_threads": 1}
    assert _hardware({**cpu, "amp": "bfloat16"}) == "Xeon, 1 thread(s), bfloat16 autocast"
    assert _hardware({**cpu, "amp": "off"}) == "Xeon, 1 thread(s), fp32"
    assert _hardware(cpu) == "Xeon, 1 thread(s)"  # a meta from before runs recorded it
    assert _hardware({"device": "cuda:0", "hardware": "GPU X", "amp": "bfloat16"}) == \
        "GPU X, bfloat16 autocast (models/train_gpu.sh)"


def test_train_help_says_what_auto_trains_in_and_how_to_get_fp32(capsys):
    from evfocus_live.cli import main

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "bf16 autocast on a CPU with native bf16" in text and 'amp = "off": fp32' in text


def test_gpu_runs_say_their_autocast_as_before():
    """On a GPU "auto" is unchanged (bf16, or fp16 with loss scaling); the start line says which."""
    from evfocus_live.train.trainer import _precision_line

    gpu = torch.device("cuda:0")
    assert _precision_line(gpu, "auto", torch.float16) == (
        logging.INFO, 'training under fp16 autocast with loss scaling on cuda:0 ([train] amp = "auto"); '
                      '[train] amp = "off" trains in fp32')
    assert _precision_line(gpu, "bf16", torch.bfloat16)[1].startswith("training under bf16 autocast on cuda:0")
    assert _precision_line(gpu, "off", None) == (logging.INFO, 'training in fp32 on cuda:0 ([train] amp = "off")')
