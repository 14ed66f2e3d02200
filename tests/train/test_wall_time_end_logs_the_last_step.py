"""A run the wall time ends between two logged steps (max_minutes, log_every 10: it stopped at
step 61) left its last step out of log.csv and loss.png, and final.pt, log.json and the printed
summary gave the loss of step 60 as step 61's. The last step is now logged and its loss is the
one recorded."""

from __future__ import annotations

import csv
import json
import time
import types

import pytest
from interrupt_support import ctrl_c_after
from train_support import tiny_cfg, tiny_data  # noqa: F401 (a fixture)

from evfocus_live.nn.registry import read_checkpoint
from evfocus_live.train import trainer

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_the_step_the_wall_time_ends_on_is_logged(tiny_data, tmp_path, monkeypatch):
    """Each optimiser step takes 25 s on the run's clock: a 1-minute budget ends at step 3,
    between the steps log_every = 2 logs (1 and 2)."""
    offset = [0.0]
    real_step = trainer.optimiser_step

    def step_25_s(*a, **kw):
        offset[0] += 25.0
        return real_step(*a, **kw)

    monkeypatch.setattr(trainer, "optimiser_step", step_25_s)
    monkeypatch.setattr(trainer, "time", types.SimpleNamespace(monotonic=lambda: time.monotonic() + offset[0]))
    out = tmp_path / "run"
    cfg = tiny_cfg(tiny_data, out, steps=100, log_every=2, max_minutes=1)
    summary = trainer.train(cfg, progress=False)
    assert summary["step"] == 3
    with open(out / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["step"]) for r in rows] == [1, 2, 3]
    assert float(rows[-1]["loss"]) == pytest.approx(summary["loss"])
    assert json.loads((out / "log.json").read_text())["loss"] == pytest.approx(float(rows[-1]["loss"]))
    assert read_checkpoint(out / "final.pt")["meta"]["loss"] == pytest.approx(float(rows[-1]["loss"]))


def test_the_step_a_ctrl_c_stops_at_is_logged(tiny_data, tmp_path, monkeypatch):
    """The same for Ctrl-C at step 3 (log_every 10): last.pt and log.json gave step 1's loss."""
    monkeypatch.setattr(trainer, "optimiser_step", ctrl_c_after(3, trainer.optimiser_step))
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        trainer.train(tiny_cfg(tiny_data, out, steps=100, log_every=10), progress=False)
    with open(out / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["step"]) for r in rows] == [1, 3]
    assert read_checkpoint(out / "last.pt")["meta"]["loss"] == pytest.approx(float(rows[-1]["loss"]))
    assert json.loads((out / "log.json").read_text())["loss"] == pytest.approx(float(rows[-1]["loss"]))
