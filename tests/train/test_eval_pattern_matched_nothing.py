"""`evfocus eval --data data_sim/test_*` before any test set was made: the shell passes the
pattern as it is, and "data path not found: data_sim/test_*" left a newcomer wondering what
test_* should be. The line now says it is a pattern that matched nothing and where the
commands that make the test sets are."""

from __future__ import annotations

import pytest

from evfocus_live.cli import main


@pytest.mark.parametrize("given", ["data_sim/test_*", "data_sim/test_[ms]*", "data?"])
def test_a_pattern_that_matched_nothing_is_said(tmp_path, monkeypatch, capsys, given):
    monkeypatch.chdir(tmp_path)
    assert main(["eval", "--models", "evfocus", "--data", given, "--no-progress"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (f"evfocus eval: error: data path not found: {given} (a pattern that matched nothing; "
                    "the test sets are made by the evfocus simulate commands at the top of models/EVALUATION.md)")


def test_a_plain_missing_path_is_said_as_before(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["eval", "--models", "evfocus", "--data", "nothing_here", "--no-progress"]) == 2
    assert capsys.readouterr().err.strip() == "evfocus eval: error: data path not found: nothing_here"
