"""A settings file's ``[display]`` is written where a palette is given, ``dark`` too (a file
without it leaves the viewer's palette alone, so a dark viewer's file left out would not say
dark); a file without it loads as the default. ``evfocus reconstruct --config`` says once that it
ignores the viewer's palette."""

from __future__ import annotations

import logging

import pytest

from evfocus_live.config import DisplayConfig, ModelConfig, PostConfig, WindowConfig
from evfocus_live.config_file import load_settings, save_settings, settings_text


def test_no_palette_given_writes_no_display_section(tmp_path):
    text = settings_text(WindowConfig(), ModelConfig(), PostConfig(), display=None)
    assert "[display]" not in text and "palette" not in text
    path = save_settings(tmp_path / "lab.toml", WindowConfig(), ModelConfig(), PostConfig())
    got = load_settings(path)
    assert got.display == DisplayConfig() and not got.has("display")


@pytest.mark.parametrize("display", [DisplayConfig(), DisplayConfig(palette="dark")])
def test_the_default_palette_is_written_too(tmp_path, display):
    path = save_settings(tmp_path / "lab.toml", WindowConfig(), ModelConfig(), PostConfig(), display=display)
    assert '[display]\npalette = "dark"' in path.read_text()
    got = load_settings(path)
    assert got.display == DisplayConfig() and got.has("display", "palette")


def test_another_palette_is_still_written_and_read_back(tmp_path):
    path = save_settings(tmp_path / "lab.toml", WindowConfig(), ModelConfig(), PostConfig(),
                         display=DisplayConfig(palette="coolwarm"))
    assert '[display]\npalette = "coolwarm"' in path.read_text()
    assert load_settings(path).display.palette == "coolwarm"


def test_reconstruct_says_it_ignores_a_settings_files_palette(monkeypatch, tmp_path, caplog):
    from cli_support import reconstruct_model_config

    path = tmp_path / "lab.toml"
    path.write_text('version = 1\n[display]\npalette = "gray"\n')
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        reconstruct_model_config(monkeypatch, tmp_path, "--config", str(path))
    said = [r for r in caplog.records if "[display] palette" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.INFO
    assert "'gray' ignored" in said[0].getMessage() and "--palette" in said[0].getMessage()
    assert "--side-by-side" in said[0].getMessage()
    caplog.clear()
    path.write_text('version = 1\n')
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        reconstruct_model_config(monkeypatch, tmp_path, "--config", str(path))
    assert not any("palette" in r.getMessage() for r in caplog.records)
