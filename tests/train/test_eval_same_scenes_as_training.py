"""A test set simulated with a training set's seeds but another blur range, length or speed
(`simulate train --seed 0 --sequences 3 --sigma-range 1 3`, `simulate test --seed 1
--sequences 2 --sigma-range 1 2 --duration 0.15`) shows the training scenes: the same
textures and layout (the scene is drawn before those options are used), blurred otherwise.
The warning compared seeds and every option, so it said nothing; it compares the scenes
now (their first sharp frame)."""

from __future__ import annotations

import logging

import pytest

from evfocus_live.simulate import SimConfig
from evfocus_live.simulate.sequence import simulate_dataset
from evfocus_live.train.evaluate import evaluate
from evfocus_live.train.trainer import train
from train_support import tiny_cfg

pytestmark = pytest.mark.usefixtures("one_torch_thread")

CFG = SimConfig(width=48, height=40, duration_s=0.25, sigma_range=(1.0, 3.0))


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    simulate_dataset(CFG, tmp_path / "train", 3, seed=0, aedat4=False, progress=False)
    train(tiny_cfg("train", "runs/my", steps=1), progress=False)
    return tmp_path


def _said(caplog):
    return [r.getMessage() for r in caplog.records if "same scenes as sequences there" in r.getMessage()]


def test_training_scenes_with_other_blur_and_length_are_named(run, caplog):
    other = SimConfig(width=48, height=40, duration_s=0.15, sigma_range=(1.0, 2.0))
    simulate_dataset(other, run / "test", 2, seed=1, aedat4=False, progress=False)
    with caplog.at_level(logging.WARNING):
        evaluate(["runs/my/final.pt"], ["test"], warmup=1, progress=False)
    said = _said(caplog)
    assert len(said) == 1 and "2 of the sequences scored" in said[0] and "test/seq_00000.h5" in said[0], said


@pytest.mark.parametrize("cfg", [SimConfig(width=48, height=40, duration_s=0.25, sigma_range=(4.0, 4.0)),
                                 SimConfig(width=56, height=40, duration_s=0.25, sigma_range=(1.0, 3.0))])
def test_other_scenes_from_the_same_seeds_are_not_named(run, caplog, cfg):
    """A fixed blur draws fewer numbers (other scenes from the same seeds); another size too."""
    simulate_dataset(cfg, run / "test", 2, seed=1, aedat4=False, progress=False)
    with caplog.at_level(logging.WARNING):
        evaluate(["runs/my/final.pt"], ["test"], warmup=1, progress=False)
    assert not _said(caplog)
