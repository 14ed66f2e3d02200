"""A newcomer's slips with the other files a command reads -- a training config, a settings
file, an ``--at`` timestamps file -- are said as a missing event file's are: a typo gets the
name beside it, a folder is named a folder, a binary file is not "cannot parse ('utf-8' codec ...)".

Before, ``evfocus train data`` (the data folder given first) said "config not found: data"
though it was there, ``evfocus train my.tom`` and ``--config lab.tom`` named no near file, and
``--at`` a folder said "cannot read timestamps (Is a directory)".
"""

from __future__ import annotations

import pytest

from conftest import DAVIS_FILE
from evfocus_live.cli import main


def _error(capsys, argv: list[str]) -> str:
    rc = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my.toml").write_text("[train]\nsteps = 1\n")
    (tmp_path / "lab.toml").write_text("version = 1\n")
    (tmp_path / "ts.txt").write_text("1633953691008950\n")
    (tmp_path / "data").mkdir()
    return tmp_path


def test_train_config_typo_names_the_file_beside_it(folder, capsys):
    line = _error(capsys, ["train", "my.tom"])
    assert line == "evfocus train: error: config not found: my.tom (did you mean my.toml?)"


def test_train_config_a_folder_is_said_to_be_one(folder, capsys):
    line = _error(capsys, ["train", "data"])
    assert "data: is a folder, not a training config" in line and "not found" not in line


def test_train_config_a_recording_is_not_text(folder, capsys):
    line = _error(capsys, ["train", str(DAVIS_FILE)])
    assert line.endswith(": not a training config (not UTF-8 text; a TOML or YAML file)"), line
    assert "codec" not in line


def test_settings_file_typo_names_the_file_beside_it(folder, capsys):
    line = _error(capsys, ["reconstruct", str(DAVIS_FILE), "-o", "out", "--config", "lab.tom"])
    assert line.endswith("lab.tom: no such settings file (did you mean lab.toml?)"), line


@pytest.mark.parametrize("given, said", [
    ("ts.tx", "ts.tx: no such timestamps file (did you mean ts.txt?)"),
    ("nothing.txt", "nothing.txt: no such timestamps file"),
    ("data", "data: is a folder, not a timestamps file"),
])
def test_at_file_slips(folder, capsys, given, said):
    line = _error(capsys, ["reconstruct", str(DAVIS_FILE), "-o", "out", "--at", given])
    assert line.endswith(said), line
    assert not (folder / "out").exists() or not any((folder / "out").iterdir())
