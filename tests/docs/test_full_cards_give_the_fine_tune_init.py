"""The generated cards (evfocus, e2vid, firenet, e2vid-sharp) gave the ``--init`` that fine-tunes
their weights; the two hand-written full-width cards did not, so a student with evfocus-full
read only how the stages were trained. Also: the generated cards' config line is exactly what
``train/card.py`` writes for them (same config, same stage count), so a regenerated card keeps it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evfocus_live.nn.registry import read_checkpoint
from evfocus_live.train.card import _config_line, training_stages

MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.mark.parametrize("name", ["evfocus-full", "e2vid-full"])
def test_full_cards_give_the_fine_tune_command(name):
    card = (MODELS / f"{name}.md").read_text()
    assert f"`evfocus train my.toml --init {name}`" in card


@pytest.mark.parametrize("name", ["evfocus", "e2vid", "firenet", "e2vid-sharp"])
def test_generated_cards_config_line_is_the_generators(name, monkeypatch):
    monkeypatch.delenv("EVFOCUS_MODELS_DIR", raising=False)
    monkeypatch.chdir(MODELS.parent)
    line = next(li for li in (MODELS / f"{name}.md").read_text().splitlines() if li.startswith("- config: `models/"))
    cfg = Path(re.search(r"`(models/configs/[^`]+)`", line).group(1))
    stages = training_stages(read_checkpoint(MODELS / f"{name}.pt")["meta"], cfg)
    assert _config_line(cfg, len(stages), name, Path(f"models/{name}.pt")) == line
