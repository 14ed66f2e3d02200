"""A model card's "run: `evfocus train models/configs/evfocus-stage6-gpu.toml`" for weights of six
stages: run as written it trained that stage from scratch (no ``--init``), on data not there,
and a student following the card never read how to fine-tune the shipped weights. A later
stage's line says it ran from the previous weights, and the ``--init`` that fine-tunes these."""

from __future__ import annotations

from pathlib import Path

from evfocus_live.train.card import _config_line

REPO = Path(__file__).resolve().parents[2]


def test_a_later_stage_names_the_init_that_fine_tunes_it(monkeypatch):
    monkeypatch.delenv("EVFOCUS_MODELS_DIR", raising=False)
    line = _config_line(Path("ft.toml"), 2, "mine", Path("models/mine.pt"))
    assert "(run: `evfocus train ft.toml`)" not in line
    assert "`evfocus train my.toml --init mine`" in line, line


def test_a_card_in_another_folder_names_the_weights_by_path(monkeypatch):
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", "my models")
    line = _config_line(Path("ft.toml"), 3, "mine", Path("my models/mine.pt"))
    assert "--init 'my models/mine.pt'" in line, line


def test_a_first_stage_keeps_its_run_line():
    assert _config_line(Path("ft.toml"), 1, "mine", Path("m/mine.pt")) == "- config: `ft.toml` (run: `evfocus train ft.toml`)"


def test_the_shipped_cards_say_how_to_fine_tune():
    for name in ("evfocus", "e2vid", "firenet", "e2vid-sharp"):
        card = (REPO / "models" / f"{name}.md").read_text()
        assert f"`evfocus train my.toml --init {name}`" in card, name
        assert "(run: `evfocus train models/configs/" not in card, name
