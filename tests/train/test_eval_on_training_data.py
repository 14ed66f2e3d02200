"""`evfocus eval --models runs/my/final.pt --data data/train`: scoring a run on the folder it
was trained on (its checkpoint records `[data] train`) measures fitting, not generalisation,
and gave no sign of it. It is now a warning naming the model and the folder; a held-out folder
gets none."""

from __future__ import annotations

import logging

import pytest

from evfocus_live.train.evaluate import evaluate
from evfocus_live.train.synth import simulate_minimal
from evfocus_live.train.trainer import train
from train_support import tiny_cfg

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def run_and_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, seed in (("train", 1), ("test", 9)):
        (tmp_path / "data" / name).mkdir(parents=True)
        simulate_minimal(tmp_path / "data" / name / "seq_00000.h5", width=48, height=40, n_frames=8,
                         sigma_range=(4, 6), seed=seed)
    cfg = tiny_cfg("data/train", "runs/my", steps=2)
    train(cfg, progress=False)
    return tmp_path


def test_eval_on_the_training_folder_warns(run_and_data, caplog):
    with caplog.at_level(logging.WARNING):
        evaluate(["runs/my/final.pt"], ["data/train"], warmup=2, progress=False)
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("my" in m and "data/train" in m and "trained on" in m for m in said), said


def test_eval_on_a_held_out_folder_does_not(run_and_data, caplog):
    with caplog.at_level(logging.WARNING):
        evaluate(["runs/my/final.pt"], ["data/test"], warmup=2, progress=False)
    assert not [r for r in caplog.records if "trained on" in r.getMessage()]
