"""Training runs resumed and their logs: resume trains the same weights, log.csv keeps each step once."""

from __future__ import annotations

import csv

import pytest
import torch
from train_support import two_blur_data  # noqa: F401 (a fixture)
from train_support import resumable_cfg as tiny_cfg

from evfocus_live.nn.registry import read_checkpoint
from evfocus_live.train import trainer
from evfocus_live.train.trainer import train


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _steps(path):
    with open(path) as f:
        return [int(r["step"]) for r in csv.DictReader(f)]


def test_resume_trains_the_same_weights_as_one_run(two_blur_data, tmp_path, monkeypatch):
    """6 steps straight == 3 steps, Ctrl-C, --resume to 6 (CPU, fixed seed, no loader
    processes). The old resume drew the epoch's order and crops afresh from the seed, so
    every resume trained the first items again."""
    train(tiny_cfg(two_blur_data, tmp_path / "straight"), progress=False)
    real_loss, calls = trainer.sequence_loss, []

    def interrupt_after_3(*a, **kw):
        calls.append(1)
        if len(calls) > 3:
            raise KeyboardInterrupt
        return real_loss(*a, **kw)

    monkeypatch.setattr(trainer, "sequence_loss", interrupt_after_3)
    with pytest.raises(KeyboardInterrupt):
        train(tiny_cfg(two_blur_data, tmp_path / "split"), progress=False)
    monkeypatch.setattr(trainer, "sequence_loss", real_loss)
    assert read_checkpoint(tmp_path / "split" / "last.pt")["meta"]["step"] == 3
    train(tiny_cfg(two_blur_data, tmp_path / "split"), resume=True, progress=False)
    a = torch.load(tmp_path / "straight" / "final.pt", weights_only=True)["state_dict"]
    b = torch.load(tmp_path / "split" / "final.pt", weights_only=True)["state_dict"]
    assert max(float((a[k] - b[k]).abs().max()) for k in a) == 0.0
    assert _steps(tmp_path / "split" / "log.csv") == list(range(1, 7))


def test_resume_of_a_finished_run_goes_on_with_the_data(two_blur_data, tmp_path):
    """A constant rate (lr_min_frac 1): 6 steps straight == 3 steps, then --resume --steps 6.
    Also with truncated BPTT, where the run stops inside an epoch and after whole items."""
    for extra in ({}, {"tbptt": 2, "seq_len": 4}):
        def cfg(out, steps):
            c = tiny_cfg(two_blur_data, out, steps=steps, lr_min_frac=1.0)
            c["data"].update(extra)
            return c

        a, b = tmp_path / f"a{len(extra)}", tmp_path / f"b{len(extra)}"
        train(cfg(a, 6), progress=False)
        train(cfg(b, 3 if not extra else 4), progress=False)
        train(cfg(b, 6), resume=True, progress=False)
        wa = torch.load(a / "final.pt", weights_only=True)["state_dict"]
        wb = torch.load(b / "final.pt", weights_only=True)["state_dict"]
        assert max(float((wa[k] - wb[k]).abs().max()) for k in wa) == 0.0, extra


def test_log_csv_records_the_last_step(two_blur_data, tmp_path):
    """log_every 10 over 3 steps: the last step's loss (the summary's) is in log.csv too, so
    log.csv and loss.png reach the end of the run."""
    summary = train(tiny_cfg(two_blur_data, tmp_path / "r", steps=3, log_every=10), progress=False)
    with open(tmp_path / "r" / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["step"]) for r in rows] == [1, 3]
    assert float(rows[-1]["loss"]) == pytest.approx(summary["loss"])


def test_resume_keeps_each_logged_step_once(two_blur_data, tmp_path):
    """A run that diverged wrote log.csv rows past its last good last.pt; resuming trains
    those steps again: each step is in the log once, in order."""
    out = tmp_path / "r"
    train(tiny_cfg(two_blur_data, out, steps=2), progress=False)
    with open(out / "log.csv") as f:
        rows = list(csv.DictReader(f))
    with open(out / "log.csv", "a", newline="") as f:  # what the diverged steps 3 and 4 left
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        for step in (3, 4):
            w.writerow({**rows[-1], "step": step})
    train(tiny_cfg(two_blur_data, out, steps=4), resume=True, progress=False)
    assert _steps(out / "log.csv") == [1, 2, 3, 4]


def test_multi_gpu_command_in_the_docstring_runs():
    """cli/train.py told to run ``torchrun ... -m evfocus_live.cli train``: that package has
    no __main__ ("cannot be directly executed"); the module it names must."""
    import importlib.util
    import re

    from evfocus_live.cli import train as cli_train

    modules = re.findall(r"-m (\S+) train", cli_train.__doc__)
    assert modules
    for mod in modules:
        assert importlib.util.find_spec(f"{mod}.__main__") is not None, mod


def test_training_error_starts_its_own_line(two_blur_data, tmp_path, capsys):
    """A diverged run raised with the progress bar still open: the CLI's error line, printed
    while the exception is handled, followed the bar's last frame on the same terminal line."""
    from evfocus_live.errors import TrainingError

    try:
        train(tiny_cfg(two_blur_data, tmp_path / "r", lr=1e30, steps=20), progress=True)
    except TrainingError as exc:
        err = capsys.readouterr().err  # what the terminal shows when the CLI prints its line
        assert "diverged" in str(exc)
    else:
        pytest.fail("a rate of 1e30 did not diverge")
    assert "train evfocus" in err and err.endswith("\n"), repr(err[-120:])
