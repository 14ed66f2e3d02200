"""Settings-file mistakes a user makes: handing ``--config`` the viewer's own
``evfocus-live.ini`` or a JSON file (a bare TOML parse error said neither what the file is
nor what to write), and a viewer run with a checkpoint named relative to its folder (the
saved ``./mine.pt`` was not there for a command run elsewhere)."""

from __future__ import annotations

import pytest

from evfocus_live.config import ModelConfig, PostConfig, WindowConfig
from evfocus_live.config_file import load_settings, save_settings
from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("name, text, hint", [
    ("evfocus-live.ini", "[recent]\nfiles=/data/rec.aedat4\n", "File > Save settings ... writes a settings file"),
    ("lab.json", '{"window": {"window_ms": 10}}\n', "settings files are TOML"),
])
def test_an_ini_or_json_file_is_said_for_what_it_is(tmp_path, name, text, hint):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError, match="not a TOML settings file") as info:
        load_settings(path)
    assert hint in str(info.value)


def test_a_relative_checkpoint_is_saved_as_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.pt").write_bytes(b"")
    path = save_settings(tmp_path / "lab.toml", WindowConfig(mode="timestamps", timestamps_path="ts.txt"),
                         ModelConfig(name="./mine.pt"), PostConfig())
    got = load_settings(path)
    assert got.model.name == str(tmp_path / "mine.pt")
    assert got.window.timestamps_path == str(tmp_path / "ts.txt")
    # a model name is kept as it is
    got = load_settings(save_settings(tmp_path / "b.toml", WindowConfig(), ModelConfig(name="firenet"), PostConfig()))
    assert got.model.name == "firenet"
