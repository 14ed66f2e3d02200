"""A relative checkpoint named in a settings file is taken from the current folder first, else
from beside the file (README). With a file of that name in both, the current folder's was taken
without a word: another model than the one saved beside the settings, silently."""

from __future__ import annotations

import logging

from evfocus_live.config_file import load_settings


def _settings(folder, text: str):
    folder.mkdir()
    path = folder / "lab.toml"
    path.write_text(f"version = 1\n{text}\n")
    return path


def test_a_checkpoint_in_both_folders_says_which_is_taken(tmp_path, monkeypatch, caplog):
    path = _settings(tmp_path / "saved", '[model]\nname = "mine.pt"')
    (tmp_path / "saved" / "mine.pt").write_bytes(b"beside")
    run = tmp_path / "run"
    run.mkdir()
    (run / "mine.pt").write_bytes(b"here")
    monkeypatch.chdir(run)
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        got = load_settings(path)
    assert got.model.name == "mine.pt"  # (the current folder's still wins, as documented)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 1 and "current folder" in said[0] and str(tmp_path / "saved" / "mine.pt") in said[0], said


def test_settings_in_the_current_folder_say_nothing(tmp_path, monkeypatch, caplog):
    path = _settings(tmp_path / "saved", '[model]\nname = "mine.pt"')
    (tmp_path / "saved" / "mine.pt").write_bytes(b"one")
    monkeypatch.chdir(tmp_path / "saved")
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        load_settings(path)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
