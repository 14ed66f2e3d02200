"""The Ctrl-C held for the optimiser step: a second one stops the run at once (a step that never
ends, as an all-reduce whose peer is gone, could be stopped by kill -9 only), said as such, as
last.pt keeps the steps counted; a held one that lands at the step's end gives
last.pt and the log that step's wall time, not the step before's."""

from __future__ import annotations

import csv
import signal
import time
import types

import pytest
from train_support import resumable_cfg, two_blur_data  # noqa: F401 (a fixture)

from evfocus_live.nn.registry import read_checkpoint
from evfocus_live.train import trainer
from evfocus_live.train.trainer import train

pytestmark = pytest.mark.usefixtures("one_torch_thread")

STEP_S = 10.0  # the fake clock's seconds an optimiser step


def test_a_second_ctrl_c_in_the_held_block_goes_at_once():
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with trainer._signals_held():
            signal.raise_signal(signal.SIGINT)  # (held: said, and delivered after the block)
            reached.append("held")
            signal.raise_signal(signal.SIGINT)
            reached.append("went on")
    assert reached == ["held"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_one_ctrl_c_is_delivered_after_the_block():
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with trainer._signals_held():
            signal.raise_signal(signal.SIGINT)
            reached.append("held")
        reached.append("after")
    assert reached == ["held"]


def test_ctrl_c_twice_inside_the_update_stops_it_and_says_so(two_blur_data, tmp_path, monkeypatch, caplog):
    real_step, calls = trainer.optimiser_step, []

    def twice_in_the_third_update(*a, **kw):
        calls.append("step")
        if len(calls) == 3:
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)
            calls.append("went on")
        real_step(*a, **kw)

    monkeypatch.setattr(trainer, "optimiser_step", twice_in_the_third_update)
    with pytest.raises(KeyboardInterrupt):
        train(resumable_cfg(two_blur_data, tmp_path / "run"), progress=False)
    assert calls == ["step"] * 3
    assert read_checkpoint(tmp_path / "run" / "last.pt")["meta"]["step"] == 2  # the steps counted
    assert "stopped inside step 3's optimiser update" in caplog.text


def test_a_held_ctrl_c_gives_the_step_its_own_wall_time(two_blur_data, tmp_path, monkeypatch):
    clock = [0.0]
    fake_time = types.SimpleNamespace(**{k: getattr(time, k) for k in dir(time) if not k.startswith("__")})
    fake_time.monotonic = lambda: clock[0]
    monkeypatch.setattr(trainer, "time", fake_time)
    real_step, calls = trainer.optimiser_step, []

    def ctrl_c_in_the_third_update(*a, **kw):
        real_step(*a, **kw)
        clock[0] += STEP_S
        calls.append(1)
        if len(calls) == 3:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(trainer, "optimiser_step", ctrl_c_in_the_third_update)
    with pytest.raises(KeyboardInterrupt):
        train(resumable_cfg(two_blur_data, tmp_path / "run"), progress=False)
    meta = read_checkpoint(tmp_path / "run" / "last.pt")["meta"]
    assert meta["step"] == 3 and meta["wall_s"] == pytest.approx(3 * STEP_S)
    with open(tmp_path / "run" / "log.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert (int(rows[-1]["step"]), float(rows[-1]["wall_s"])) == (3, pytest.approx(3 * STEP_S))
