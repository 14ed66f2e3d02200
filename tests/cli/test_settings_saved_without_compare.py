"""A settings file saved with no compare model says so (``[model] compare = "none"``): left out,
the file loaded into a viewer that compared kept its compare model, though the file was saved
without one. A file without the key (older, or hand-written) still leaves it as it is, and
``evfocus reconstruct --config`` still runs one model."""

from __future__ import annotations

import logging

from cli_support import reconstruct_model_config

from evfocus_live.config import ModelConfig, PostConfig, WindowConfig
from evfocus_live.config_file import load_settings, merge_settings, save_settings


def _merged(path, compare: str | None) -> ModelConfig:
    """The model a viewer comparing with ``compare`` runs after loading ``path``."""
    return merge_settings(path, load_settings(path), WindowConfig(), ModelConfig(compare=compare),
                          PostConfig(), set())[1]


def test_none_saved_turns_the_compare_model_off(tmp_path):
    path = save_settings(tmp_path / "s.toml", WindowConfig(), ModelConfig(compare=None), PostConfig())
    assert 'compare = "none"' in path.read_text()
    got = load_settings(path)
    assert got.has("model", "compare") and got.model.compare is None
    assert _merged(path, "e2vid").compare is None
    # saved and loaded again: the same file
    again = save_settings(tmp_path / "again.toml", WindowConfig(), got.model, PostConfig())
    assert again.read_text() == path.read_text()


def test_a_file_without_the_key_keeps_the_compare_model(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text('version = 1\n[model]\nname = "e2vid"\n')
    assert _merged(path, "firenet") == ModelConfig(name="e2vid", compare="firenet")
    assert _merged(path, None).compare is None


def test_reconstruct_runs_one_model_from_a_none_file(monkeypatch, tmp_path, caplog):
    path = save_settings(tmp_path / "s.toml", WindowConfig(), ModelConfig(name="e2vid"), PostConfig())
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        model = reconstruct_model_config(monkeypatch, tmp_path, "--config", str(path))
    assert model.name == "e2vid" and model.compare is None
    assert not any("[model] compare" in r.getMessage() for r in caplog.records)
