"""``evfocus train NAME``: the user's own file of that name wins over the shipped config, and
says so; a near miss of a shipped name is pointed at; a shipped config's ``[train] out`` is
relative to where the command runs, never to the installed package.

A bare ``evfocus`` beside the user's edited ``evfocus.toml`` trained the shipped recipe; a
folder named ``evfocus`` (a run's out) was "not a training config"; ``evfocs`` said only
"config not found"; ``--list-configs`` of a broken install printed a folder line and exit 0.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from evfocus_live.cli import main
from evfocus_live.nn import registry
from evfocus_live.train.trainer import load_config, resolve_config
from train_support import installed  # noqa: F401  (the fixture: an installed package's configs)


@pytest.mark.parametrize("own", ["evfocus.toml", "evfocus.yaml"])
def test_a_bare_name_takes_the_users_own_file_first(installed, own, caplog):
    Path(own).write_text("[train]\nsteps = 2\n")
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        assert resolve_config("evfocus") == Path(own)
    assert any(own in r.getMessage() and "not the shipped" in r.getMessage() for r in caplog.records)


def test_the_users_models_configs_copy_wins_and_is_said(installed, caplog):
    Path("models/configs").mkdir(parents=True)
    Path("models/configs/evfocus.toml").write_text("[train]\nsteps = 3\n")
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        assert resolve_config("models/configs/evfocus.toml") == Path("models/configs/evfocus.toml")
    assert any("not the shipped" in r.getMessage() for r in caplog.records)


def test_a_checkouts_own_configs_are_not_said_to_hide_themselves(tmp_path, monkeypatch, caplog):
    """In a checkout (editable install) models/configs/ is the shipped folder itself."""
    (tmp_path / "models" / "configs").mkdir(parents=True)
    (tmp_path / "models" / "configs" / "evfocus.toml").write_text("[train]\nsteps = 1\n")
    monkeypatch.setattr(registry, "_PACKAGED_MODELS", tmp_path / "models")
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        assert resolve_config("models/configs/evfocus.toml") == Path("models/configs/evfocus.toml")
    assert not [r for r in caplog.records if "not the shipped" in r.getMessage()]


def test_a_folder_of_that_name_is_not_taken_for_the_config(installed):
    Path("evfocus").mkdir()  # a run's out, a data set
    assert resolve_config("evfocus") == installed / "evfocus.toml"


def test_a_near_miss_names_the_shipped_config(installed, capsys):
    assert main(["train", "evfocs"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "shipped evfocus" in err[0], err


def test_list_configs_of_a_broken_install_is_an_error(installed, capsys):
    for config in installed.glob("*.toml"):
        config.unlink()
    assert main(["train", "--list-configs"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(installed) in err[0], err


def test_a_shipped_configs_out_is_relative_to_where_it_runs(tmp_path, monkeypatch):
    """The real shipped config, from a folder without models/: OUT (and --resume's OUT/last.pt)
    is the config's relative path from here, not beside the (read-only) installed config."""
    monkeypatch.chdir(tmp_path)
    cfg = load_config(resolve_config("evfocus"))
    assert cfg["train"]["out"] == "runs/evfocus" and not Path(cfg["train"]["out"]).is_absolute()
