"""The space-split check (``runs/lab ft/final.pt`` given unquoted) looks at the raw words.
Two things it got wrong or had to keep right: with folders ``runs/lab ft`` and ``runs/lab ft
2`` both there, ``--model runs/lab ft 2/final.pt`` was said to be ``runs/lab ft`` (the first
join that exists, a folder, not the file meant); and legitimate lists of inputs
(``reconstruct a.aedat4 b.raw``, ``info a b``, ``eval --models a b --data x y``, ``simulate
--images p1 p2``) must parse as before, never refused as one split path."""

from __future__ import annotations

import argparse

import pytest

from evfocus_live.cli import build_parser, main, parse_args


@pytest.fixture
def two_runs(tmp_path, monkeypatch):
    for d in ("lab ft", "lab ft 2"):
        (tmp_path / "runs" / d).mkdir(parents=True)
        (tmp_path / "runs" / d / "final.pt").write_bytes(b"PK\x03\x04")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_path_with_two_spaces_is_said_whole_not_its_shorter_prefix(two_runs, capsys):
    with pytest.raises(SystemExit):
        main(["reconstruct", "rec.aedat4", "-o", "out", "--model", "runs/lab", "ft", "2/final.pt"])
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "runs/lab ft 2/final.pt is one path" in last, last
    assert "'runs/lab ft 2/final.pt'" in last


@pytest.mark.parametrize("argv,dest,value", [
    (["reconstruct", "a.aedat4", "b.raw", "-o", "out"], "inputs", ["a.aedat4", "b.raw"]),
    (["info", "a", "b"], "input", ["a", "b"]),
    (["eval", "--models", "a", "b", "--data", "x", "y"], "data", ["x", "y"]),
    (["simulate", "out", "--images", "p1", "p2"], "images", ["p1", "p2"]),
])
def test_legitimate_lists_of_inputs_parse_as_before(tmp_path, monkeypatch, argv, dest, value):
    # every word a file of its own, and the space-joined names there too: still separate inputs
    monkeypatch.chdir(tmp_path)
    words = [w for w in argv[1:] if not w.startswith("-") and w != "out"]
    for w in words:
        (tmp_path / w).write_bytes(b"x")
    for a, b in zip(words, words[1:]):
        (tmp_path / f"{a} {b}").write_bytes(b"x")
    args = parse_args(build_parser(), argv)
    assert isinstance(args, argparse.Namespace)
    assert getattr(args, dest) == value
