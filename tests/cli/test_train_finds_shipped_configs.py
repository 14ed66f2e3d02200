"""README's ``evfocus train models/configs/evfocus.toml`` works outside the checkout.

An installed package (wheel, ``pip install .``) keeps the shipped configs in
``evfocus_live/_models/configs``; from any other folder than the repository's root the
command said "config not found: models/configs/evfocus.toml" and nothing told the user where
the configs were. Now that path, or the bare name, finds the shipped config, and
``evfocus train --list-configs`` names them and their folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from train_support import installed  # noqa: F401 (the fixture)

from evfocus_live.cli import main
from evfocus_live.train.trainer import resolve_config


@pytest.mark.parametrize("name", ["models/configs/evfocus.toml", "evfocus", "evfocus.toml"])
def test_readme_config_path_finds_the_installed_copy(installed, name):
    assert resolve_config(name) == installed / "evfocus.toml"


def test_a_file_of_that_path_in_the_folder_wins(installed):
    Path("evfocus.toml").write_text("[train]\nsteps = 2\n")
    assert resolve_config("evfocus.toml") == Path("evfocus.toml")


def test_other_folders_are_not_looked_up(installed):
    assert resolve_config("lab/evfocus.toml") == Path("lab/evfocus.toml")


def test_list_configs_names_them_and_their_folder(installed, capsys):
    assert main(["train", "--list-configs"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"# {installed}", "evfocus", "firenet"]


@pytest.mark.parametrize("argv", [["train"], ["train", "nothere.toml"]])
def test_no_config_points_at_the_list(installed, capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "evfocus train --list-configs" in err[0], err
