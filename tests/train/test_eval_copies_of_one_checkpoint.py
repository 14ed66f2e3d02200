"""`evfocus eval --models a/run/final.pt b/run/final.pt` with b a copy of a (the same bytes):
both ran, labelled ``run/final.pt`` and ``run/final.pt #2``, with rows that repeat each other
and no word that they were one model. A copy is that model again now: evaluated once, with a
warning naming both files and their sha256; different weights of one size still get a row each."""

from __future__ import annotations

import logging
import shutil

import pytest
import torch

from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import save_checkpoint, sha256_file
from evfocus_live.train.evaluate import evaluate, unique_models
from evfocus_live.train.synth import simulate_minimal

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _tiny(path, seed):
    torch.manual_seed(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_checkpoint(path, EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)))


def test_a_copy_of_a_checkpoint_is_evaluated_once_and_said(tmp_path, caplog):
    data = tmp_path / "d"
    data.mkdir()
    simulate_minimal(data / "seq_00000.h5", width=48, height=40, n_frames=5, sigma_range=(5, 6), seed=1)
    a = _tiny(tmp_path / "a" / "run" / "final.pt", 0)
    (tmp_path / "b" / "run").mkdir(parents=True)
    b = shutil.copy(a, tmp_path / "b" / "run" / "final.pt")
    with caplog.at_level(logging.WARNING):
        rep = evaluate([str(a), str(b)], [str(data)], warmup=2, progress=False)
    assert rep["models"] == [str(a)]
    assert "#2" not in rep["markdown"]
    said = [r.getMessage() for r in caplog.records if "same bytes" in r.getMessage()]
    assert len(said) == 1 and str(b) in said[0] and str(a) in said[0], said
    assert sha256_file(a)[:12] in said[0]


def test_different_weights_of_one_size_are_both_kept(tmp_path, caplog):
    a = _tiny(tmp_path / "a" / "final.pt", 0)
    b = _tiny(tmp_path / "b" / "final.pt", 1)
    assert a.stat().st_size == b.stat().st_size  # (the case the size alone cannot tell)
    with caplog.at_level(logging.WARNING):
        assert unique_models([str(a), str(b)]) == [str(a), str(b)]
    assert "same bytes" not in caplog.text


def test_a_copy_of_the_shipped_weights_is_that_model(tmp_path, caplog):
    from evfocus_live.nn.registry import shipped_path

    copy = shutil.copy(shipped_path("firenet"), tmp_path / "mine.pt")
    with caplog.at_level(logging.WARNING):
        assert unique_models(["firenet", str(copy)]) == ["firenet"]
    assert "mine.pt holds the same bytes as firenet" in caplog.text
