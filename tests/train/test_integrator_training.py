"""Training and evaluating an ``integrator`` model: the trainer end to end from a config,
``--init`` from a model without it, and ``evfocus eval`` on its checkpoint (the
twenty-sixth session's path)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from train_support import tiny_cfg, tiny_data  # noqa: F401 (fixture)

from evfocus_live.nn.registry import build_model, load_model, save_checkpoint
from evfocus_live.train.evaluate import evaluate
from evfocus_live.train.trainer import train


def _integ_cfg(data, out, **train_kw):
    cfg = tiny_cfg(data, out, **train_kw)
    cfg["model"].update(count_channel=True, integrator=True, integrator_decay=0.8)
    return cfg


@pytest.fixture(scope="module")
def integ_run(tiny_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("integ_run")
    return train(_integ_cfg(tiny_data, out / "run"), progress=False)["checkpoint"]


def test_the_trainer_writes_an_integrator_checkpoint(integ_run):
    model = load_model(integ_run)
    assert model.integrator and model.integrator_decay == 0.8 and model.count_channel
    assert torch.count_nonzero(model.head_level.weight) > 0  # trained: the level is read


def test_init_from_a_plain_checkpoint_trains(tiny_data, tmp_path):
    cfg = _integ_cfg(tiny_data, tmp_path / "ft", steps=2)
    plain = {k: v for k, v in cfg["model"].items() if k not in ("arch", "integrator", "integrator_decay")}
    plain["count_channel"] = False
    src = save_checkpoint(tmp_path / "plain.pt", build_model("evfocus", {**plain, "num_bins": 5}))
    summary = train(cfg, progress=False, init=str(src))
    model = load_model(summary["checkpoint"])
    assert model.integrator and model.head.conv.weight.shape[1] == 6


def test_eval_runs_an_integrator_checkpoint(integ_run, tiny_data, tmp_path):
    rep = evaluate([integ_run], [str(tiny_data)], tmp_path / "report", warmup=1, max_windows=3, progress=False)
    scores = rep["ground_truth"]["splits"]["all"]
    assert scores["run"]["n"] > 0 and np.isfinite(scores["run"]["ssim"])
