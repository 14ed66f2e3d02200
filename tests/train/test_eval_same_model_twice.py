"""`evfocus eval --models evfocus runs/a/final.pt evfocus`: the same model given twice (the same
name, or the same file by another path) is evaluated once, with a warning, as a data file given
twice already is; before, it ran twice and the report compared it with itself
("evfocus − evfocus #2: +0.0000 [+0.0000, +0.0000]"). Two different files whose labels would
read alike still get a row each."""

from __future__ import annotations

import logging

import pytest
import torch

from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import save_checkpoint
from evfocus_live.train.evaluate import evaluate
from evfocus_live.train.synth import simulate_minimal

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _tiny(path, seed):
    torch.manual_seed(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_checkpoint(path, EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)))


def test_a_model_given_twice_is_evaluated_once(tmp_path, monkeypatch, caplog):
    data = tmp_path / "d"
    data.mkdir()
    simulate_minimal(data / "seq_00000.h5", width=48, height=40, n_frames=5, sigma_range=(5, 6), seed=1)
    a = _tiny(tmp_path / "a" / "final.pt", 0)
    b = _tiny(tmp_path / "b" / "final.pt", 1)
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.WARNING):
        rep = evaluate([str(a), "b/final.pt", "a/final.pt", "./b/final.pt"], [str(data)], warmup=2, progress=False)
    assert list(rep["labels"]) == ["a", "b"]
    assert rep["models"] == [str(a), "b/final.pt"]
    assert set(rep["ground_truth"]["splits"]["severe"]) == {"defocused GT", "deconvolved GT", "a", "b"}
    assert "#2" not in rep["markdown"]
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("a/final.pt" in m and "given twice" in m for m in said), said
    assert any("./b/final.pt" in m and "given twice" in m for m in said), said
