"""A settings file holds whatever text the settings do: a model in a folder named with an emoji
was written as JSON's surrogate pair, no TOML escape, so the viewer saved a file that
``--config`` refused ("not a TOML settings file"); DEL went in raw, which TOML forbids too. A
file name whose bytes are not UTF-8 is one line, and leaves nothing behind."""

from __future__ import annotations

import os

import pytest

from evfocus_live.config import ModelConfig, PostConfig, WindowConfig
from evfocus_live.config_file import load_settings, save_settings
from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("name", ["/data/caméra 😀/mine.pt", "/data/a\x7fb/mine.pt", "/data/\u2028\t\"q\"\\/m.pt"])
def test_any_text_loads_back(tmp_path, name):
    post = PostConfig(steps=("median",), options={"median": {"ksize": 3}, "lab 😀": {"note": name}})
    path = save_settings(tmp_path / "lab.toml", WindowConfig(), ModelConfig(name=name), post)
    got = load_settings(path)
    assert (got.model.name, got.post) == (name, post)


def test_a_name_that_is_not_utf8_is_one_line_and_leaves_nothing(tmp_path):
    name = os.fsdecode(b"/data/\xff/mine.pt")  # (as Python gives a file name of such bytes)
    with pytest.raises(ConfigError) as info:
        save_settings(tmp_path / "lab.toml", WindowConfig(), ModelConfig(name=name), PostConfig())
    assert "cannot save settings to" in str(info.value) and "\n" not in str(info.value)
    assert os.listdir(tmp_path) == []
