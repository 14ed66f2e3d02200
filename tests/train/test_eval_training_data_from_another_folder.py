"""A run trained with `[data] train = "data/train"` (relative, as README's config has it)
evaluated from another folder: the checkpoint kept the path as written, so `evfocus eval
--data "../proj/data/train"` scored the training data without the warning that says so, and a
different `data/train` under the new folder was named the training data instead. The run now
records its folders resolved (`train_data_abs`) and the check uses them."""

from __future__ import annotations

import logging

import pytest

from evfocus_live.train.evaluate import evaluate
from evfocus_live.train.synth import simulate_minimal
from evfocus_live.train.trainer import train
from train_support import tiny_cfg

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def project(tmp_path, monkeypatch):
    proj = tmp_path / "proj"
    for root, seed in ((proj, 1), (tmp_path / "elsewhere", 9)):
        (root / "data" / "train").mkdir(parents=True)
        simulate_minimal(root / "data" / "train" / "seq_00000.h5", width=48, height=40, n_frames=8,
                         sigma_range=(4, 6), seed=seed)
    monkeypatch.chdir(proj)
    train(tiny_cfg("data/train", "runs/my", steps=2), progress=False)
    return tmp_path


def _warnings(caplog):
    return [r.getMessage() for r in caplog.records if "trained on" in r.getMessage()]


def test_training_data_named_from_another_folder(project, monkeypatch, caplog):
    monkeypatch.chdir(project)
    with caplog.at_level(logging.WARNING):
        evaluate(["proj/runs/my/final.pt"], ["proj/data/train"], warmup=2, progress=False)
    assert _warnings(caplog), "the run's own training data was scored without a warning"


def test_another_folders_data_train_is_not_its_training_data(project, monkeypatch, caplog):
    monkeypatch.chdir(project / "elsewhere")
    with caplog.at_level(logging.WARNING):
        evaluate([str(project / "proj/runs/my/final.pt")], ["data/train"], warmup=2, progress=False)
    assert not _warnings(caplog), "a held-out folder that shares the name was called the training data"
