"""A checkpoint in a folder with a space, given unquoted (``--model runs/lab ft/final.pt``):
the shell splits it, and the commands said "checkpoint not found: runs/lab", "unrecognized
arguments: ft/final.pt" or "ft/final.pt: no such file", none naming the space. Words that
join into a path that exists are one line now, with the path quoted."""

from __future__ import annotations

import pytest

from evfocus_live.cli import main

SAID = "runs/lab ft/final.pt is one path with a space in it, split in two by the shell: quote it ('runs/lab ft/final.pt')"


@pytest.fixture
def run_with_space(tmp_path, monkeypatch):
    (tmp_path / "runs" / "lab ft").mkdir(parents=True)
    (tmp_path / "runs" / "lab ft" / "final.pt").write_bytes(b"PK\x03\x04")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("argv", [
    ["eval", "--models", "runs/lab", "ft/final.pt", "evfocus", "--data", "data/test"],
    ["reconstruct", "rec.aedat4", "-o", "out", "--model", "runs/lab", "ft/final.pt"],
])
def test_the_commands_say_the_path_was_split(run_with_space, capsys, argv):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(f"error: {SAID}")
    assert not (run_with_space / "out").exists()


def test_the_viewer_says_it_too(run_with_space, capsys):
    from evfocus_live.gui import app

    with pytest.raises(SystemExit):
        app.main(["--headless", "--model", "runs/lab", "ft/final.pt"])
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"evfocus-live: error: {SAID}"


def test_words_that_name_no_path_together_are_left_to_the_command(run_with_space, capsys):
    with pytest.raises(SystemExit):
        main(["reconstruct", "rec.aedat4", "-o", "out", "--model", "runs/lab", "other.pt"])
    assert "split in two" not in capsys.readouterr().err
