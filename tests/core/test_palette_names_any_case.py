"""A palette's name in any case from Python, as `--palette CoolWarm` and a settings file take it
(tests/cli/test_settings_palette_any_case.py), and `light` is a key of `PALETTES` as it
is a choice (a Python caller indexing `PALETTES["light"]` got a KeyError)."""

from __future__ import annotations

import pytest

from evfocus_live.config import DisplayConfig
from evfocus_live.core.render import PALETTE_CHOICES, PALETTES
from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("name", ["CoolWarm", "GRAY", " dark ", "Light"])
def test_display_config_takes_a_name_in_any_case(name):
    assert DisplayConfig(palette=name).palette == name.strip().lower()


def test_an_unknown_name_is_still_refused():
    with pytest.raises(ConfigError, match="unknown palette 'pink'"):
        DisplayConfig(palette="pink")


def test_every_choice_is_a_key_of_palettes():
    assert set(PALETTE_CHOICES) <= set(PALETTES)
    assert PALETTES["light"] == PALETTES["white"]

