"""An output path with a space that does not exist yet, given unquoted (``-o runs/new run``):
the split-path check joins words into paths that exist, so it said only "unrecognized
arguments: run". The error now asks whether the output is the joined path, where that can be
told: the output's words and the stray ones name nothing, they follow each other, and the
joined path lies in a folder that exists. Other stray words keep the plain error."""

from __future__ import annotations

import pytest

from evfocus_live.cli import main

ASKED = "(is the output '{}', one path with a space in it? the shell split it in two: quote it)"


@pytest.fixture
def here(tmp_path, monkeypatch):
    (tmp_path / "runs").mkdir()
    (tmp_path / "rec.aedat4").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _last_error(argv, capsys) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize("argv,path", [
    (["reconstruct", "rec.aedat4", "-o", "runs/new", "run"], "runs/new run"),
    (["reconstruct", "rec.aedat4", "--output=my", "out", "x"], "my out x"),
    (["reconstruct", "rec.aedat4", "-o", "out", "--video", "my", "clip.mp4"], "my clip.mp4"),
    (["simulate", "my", "data", "--sequences", "1"], "my data"),
    (["eval", "--models", "evfocus", "--data", "x", "--out", "my", "report"], "my report"),
    (["bench", "--out", "my", "result.json"], "my result.json"),
])
def test_a_new_output_split_at_its_space_is_asked_about(here, capsys, argv, path):
    last = _last_error(argv, capsys)
    assert last.endswith(ASKED.format(path)), last
    assert not (here / "out").exists() and not (here / "runs" / "new").exists()


@pytest.mark.parametrize("argv", [
    ["reconstruct", "rec.aedat4", "-o", "out", "b.raw"],           # an input given late, not folder "out b.raw"
    ["reconstruct", "rec.aedat4", "-o", "out", "rec.aedat4"],      # a word that names a file
    ["reconstruct", "rec.aedat4", "-o", "nowhere/my", "out"],      # no such folder to hold it
    ["reconstruct", "rec.aedat4", "-o", "out", "--video", "my", "clip"],  # a file's name ends in a suffix
    ["reconstruct", "rec.aedat4", "-o", "runs", "new"],            # the output is there: a stray word
])
def test_other_stray_words_keep_the_plain_error(here, capsys, argv):
    last = _last_error(argv, capsys)
    assert "one path with a space" not in last and "unrecognized arguments" in last, last
