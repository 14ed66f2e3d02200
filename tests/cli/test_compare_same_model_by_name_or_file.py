"""``--compare`` naming ``--model``'s own weights another way (the shipped name ``evfocus`` and
its file ``models/evfocus.pt``) ran the model twice without a word in ``evfocus reconstruct``
(only the same spelling, or two spellings of one path, were said), and in ``evfocus-live`` in
any spelling. Now both say it once, whichever way it is named."""

from __future__ import annotations

import logging

import pytest
from compare_support import SLICE
from conftest import REAL_FILES, TINY

from evfocus_live.cli import main
from evfocus_live.gui import app
from evfocus_live.nn.registry import build_model, save_checkpoint

SAID = "the same model as --model"


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A tiny EvFocus as the shipped ``evfocus`` (its file), and another checkpoint."""
    import torch

    torch.manual_seed(0)
    d = tmp_path / "models"
    d.mkdir()
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(d))
    weights = save_checkpoint(d / "evfocus.pt", build_model("evfocus", TINY))
    other = save_checkpoint(tmp_path / "other.pt", build_model("firenet", {"base": 2}))
    return weights, other


def _said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and SAID in r.getMessage()]


@pytest.mark.parametrize("order", ["name, file", "file, name", "name, name"])
def test_reconstruct_says_it_once(tmp_path, shipped, caplog, order):
    weights, _ = shipped
    model, cmp = {"name, file": ("evfocus", str(weights)), "file, name": (str(weights), "evfocus"),
                  "name, name": ("evfocus", "evfocus")}[order]
    inp = str(REAL_FILES["evt2"]["path"])
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", inp, "-o", str(tmp_path / "out"), "--model", model, "--compare", cmp,
                     *SLICE]) == 0
    assert len(_said(caplog)) == 1, caplog.text


def _live(tmp_path, model: str, cmp: str) -> int:
    rec = str(REAL_FILES["evt2"]["path"])
    return app.main([rec, "--headless", "--model", model, "--compare", cmp, "--post", "none", "--speed", "0",
                     "--window-ms", "10", "--device", "cpu", "--exit-after-s", "0.5"])


@pytest.mark.parametrize("order", ["name, file", "name, name"])
def test_evfocus_live_says_it_once(tmp_path, shipped, caplog, order):
    weights, _ = shipped
    cmp = str(weights) if order == "name, file" else "evfocus"
    with caplog.at_level(logging.WARNING):
        assert _live(tmp_path, "evfocus", cmp) == 0
    assert len(_said(caplog)) == 1, caplog.text


def test_other_models_are_not_said(tmp_path, shipped, caplog):
    _, other = shipped
    with caplog.at_level(logging.WARNING):
        assert _live(tmp_path, "evfocus", str(other)) == 0
    assert not _said(caplog)
