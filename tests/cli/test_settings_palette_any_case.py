"""A settings file's ``[display] palette`` in any case, as ``--palette CoolWarm`` and
``DisplayConfig(palette="GRAY")`` take it: the file took the names only as listed."""

from __future__ import annotations

import pytest

from evfocus_live.config_file import load_settings
from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("name, taken", [("CoolWarm", "coolwarm"), ("GRAY", "gray"), ("Light", "light"),
                                         ("gray", "gray")])
def test_a_palette_name_in_any_case(tmp_path, name, taken):
    path = tmp_path / "lab.toml"
    path.write_text(f'version = 1\n[display]\npalette = "{name}"\n')
    got = load_settings(path)
    assert got.display.palette == taken and got.has("display", "palette")


@pytest.mark.parametrize("value", ['"grey"', "3"])
def test_other_values_are_still_one_line_naming_the_key(tmp_path, value):
    path = tmp_path / "lab.toml"
    path.write_text(f"version = 1\n[display]\npalette = {value}\n")
    with pytest.raises(ConfigError, match=r"lab\.toml: \[display\] palette must be one of"):
        load_settings(path)


def test_other_named_choices_keep_their_rule(tmp_path):
    """Only a config that takes a name in any case itself (DisplayConfig) has it taken so."""
    path = tmp_path / "lab.toml"
    path.write_text('version = 1\n[window]\nmode = "Events"\n')
    with pytest.raises(ConfigError, match=r"\[window\] mode must be one of"):
        load_settings(path)
