"""The weights in models/: present, small, loadable, and matching the sha256 in their cards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from evfocus_live.errors import CheckpointError
from evfocus_live.nn.registry import available_models, load_model, sha256_file
from evfocus_live.plugins import MODELS, Registry
from evfocus_live.train.trainer import load_config

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
SHIPPED = ["evfocus", "e2vid", "e2vid-sharp", "firenet"]


@pytest.mark.parametrize("name", SHIPPED)
def test_weights_match_card_and_load(name):
    pt, card = MODELS_DIR / f"{name}.pt", MODELS_DIR / f"{name}.md"
    assert pt.is_file() and card.is_file()
    assert pt.stat().st_size < 20 * 2 ** 20
    m = re.search(r"sha256:\s*`([0-9a-f]{64})`", card.read_text())
    assert m, f"{card.name} has no sha256 line"
    assert m.group(1) == sha256_file(pt)
    model = load_model(name, "cpu")
    assert not model.training
    with torch.inference_mode():
        out = model(torch.zeros(1, 5, 260, 346))
    assert out["image"].shape == (1, 1, 260, 346)
    assert torch.isfinite(out["image"]).all()
    assert name in available_models()


def test_entry_point_factories():
    reg = Registry(MODELS)
    assert set(SHIPPED) | {"evfocus-full"} <= set(reg.names())
    model = reg.load("evfocus")("evfocus", "cpu")
    assert model.arch == "evfocus" and "blur" in model(torch.zeros(1, 5, 48, 64))


def test_full_model_ships_config_not_weights():
    assert not (MODELS_DIR / "evfocus-full.pt").exists()
    cfg = load_config(MODELS_DIR / "configs" / "evfocus-full.toml")
    assert cfg["model"]["base"] == 32
    with pytest.raises(CheckpointError, match="no weights shipped"):
        load_model("evfocus-full")


def test_light_config_is_the_shipped_default():
    """``nn.evfocus.LIGHT`` (used in docs and examples) describes models/evfocus.pt."""
    from evfocus_live.nn.evfocus import LIGHT
    from evfocus_live.nn.registry import load_model

    cfg = load_model("evfocus").config
    assert {k: cfg[k] for k in LIGHT} == LIGHT
