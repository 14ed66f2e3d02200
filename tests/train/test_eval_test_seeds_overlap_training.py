"""A test set simulated with seeds that a training set also used (`simulate train --seed 0
--sequences 3`, `simulate test --seed 1 --sequences 2`: sequence i gets seed SEED+i) holds the
training scenes under other names. `evfocus eval` scored them as held-out data without a word;
it now warns, naming them, as it does for the training folder itself."""

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


def test_test_sequences_with_training_seeds_are_named(run, caplog):
    simulate_dataset(CFG, run / "test", 2, seed=1, aedat4=False, progress=False)  # seeds 1, 2: in training
    with caplog.at_level(logging.WARNING):
        evaluate(["runs/my/final.pt"], ["test"], warmup=1, progress=False)
    said = _said(caplog)
    assert len(said) == 1 and "2 of the sequences scored" in said[0] and "test/seq_00000.h5" in said[0], said


@pytest.mark.parametrize("change", [dict(seed=3), dict(cfg=SimConfig(width=56, height=40, duration_s=0.25,
                                                                      sigma_range=(1.0, 3.0)))])
def test_disjoint_seeds_or_other_options_are_not_named(run, caplog, change):
    simulate_dataset(change.get("cfg", CFG), run / "test", 2, seed=change.get("seed", 1), aedat4=False,
                     progress=False)
    with caplog.at_level(logging.WARNING):
        evaluate(["runs/my/final.pt"], ["test"], warmup=1, progress=False)
    assert not _said(caplog)


def test_test_sets_with_overlapping_seeds_are_named(tmp_path, caplog):
    """Two test folders made with --seed 100 and --seed 101 (--sequences 2 each) share a
    scene, which weighed double in every mean with no word said."""
    simulate_dataset(CFG, tmp_path / "a", 2, seed=100, aedat4=False, progress=False)
    simulate_dataset(CFG, tmp_path / "b", 2, seed=101, aedat4=False, progress=False)
    with caplog.at_level(logging.WARNING):
        evaluate(["firenet"], [str(tmp_path / "a"), str(tmp_path / "b")], warmup=1, progress=False)
    said = [r.getMessage() for r in caplog.records if "repeat another one" in r.getMessage()]
    assert len(said) == 1 and "1 of the sequences" in said[0] and "a/seq_00001.h5 = b/seq_00000.h5" in said[0], said


def test_training_scenes_with_other_blur_and_length_are_named(run, caplog):
    """A test set made with training's seeds and another blur range and length shows training's
    scenes (the scene is drawn before those options are used: byte-identical first frames);
    comparing seeds and every option said nothing."""
    other = SimConfig(width=48, height=40, duration_s=0.15, sigma_range=(1.0, 2.0))
    simulate_dataset(other, run / "test", 2, seed=1, aedat4=False, progress=False)
    with caplog.at_level(logging.WARNING):
        evaluate(["runs/my/final.pt"], ["test"], warmup=1, progress=False)
    said = _said(caplog)
    assert len(said) == 1 and "2 of the sequences scored" in said[0] and "test/seq_00000.h5" in said[0], said


def test_other_scenes_from_the_same_seeds_are_not_named(run, caplog):
    """A fixed blur draws fewer numbers: other scenes from the same seeds."""
    fixed = SimConfig(width=48, height=40, duration_s=0.25, sigma_range=(4.0, 4.0))
    simulate_dataset(fixed, run / "test", 2, seed=1, aedat4=False, progress=False)
    with caplog.at_level(logging.WARNING):
        evaluate(["runs/my/final.pt"], ["test"], warmup=1, progress=False)
    assert not _said(caplog)
