"""``--model e2vid.pt`` (the shipped weight file's name, from models/) said "checkpoint not
found: e2vid.pt" and nothing more; it names the model to give now."""

from __future__ import annotations

import pytest

from evfocus_live.errors import CheckpointError
from evfocus_live.nn.registry import load_model


@pytest.mark.parametrize("given,hint", [("e2vid.pt", "--model e2vid"), ("evfocus-full.pt", "--model evfocus-full")])
def test_a_shipped_weight_file_name_points_to_the_model(tmp_path, monkeypatch, given, hint):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CheckpointError) as err:
        load_model(given)
    assert str(err.value) == f"checkpoint not found: {given} (the shipped model is named without .pt: {hint})"


def test_another_missing_file_gets_no_such_hint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CheckpointError) as err:
        load_model("mine.pt")
    assert str(err.value) == "checkpoint not found: mine.pt"
