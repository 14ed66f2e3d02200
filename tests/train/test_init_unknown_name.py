"""`evfocus train my.toml --init evfocsu` (a typo of a shipped model's name) said only
"checkpoint not found: evfocsu", as if a file were meant. It now says it is neither a shipped
model nor a file, suggests the nearest name and lists them; a path still says "not found"."""

from __future__ import annotations

import pytest

from evfocus_live.errors import CheckpointError
from evfocus_live.train.trainer import _init_path


def test_a_typo_of_a_shipped_name_suggests_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CheckpointError) as exc:
        _init_path("evfocsu")
    msg = str(exc.value)
    assert "did you mean evfocus?" in msg and "e2vid" in msg and "path to a .pt" in msg


def test_a_missing_file_is_left_to_the_loader(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _init_path("runs/my/final.pt") == "runs/my/final.pt"
    assert _init_path("evfocus").endswith("evfocus.pt")
