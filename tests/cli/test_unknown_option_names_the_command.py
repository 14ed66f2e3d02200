"""A mistyped option after a command (``evfocus reconstruct rec.raw -o out --windowms 33``) said
"evfocus: error: unrecognized arguments" under the top level's usage, which lists none of the
command's options; it is the command's error now, with its usage and the nearest option."""

from __future__ import annotations

import pytest

from evfocus_live.cli import main


def test_typo_is_the_commands_error_with_the_nearest_option(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["reconstruct", str(tmp_path / "rec.raw"), "-o", str(tmp_path / "out"), "--windowms", "33"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("usage: evfocus reconstruct"), err
    assert err[-1] == "evfocus reconstruct: error: unrecognized arguments: --windowms 33 (did you mean --window-ms?)"
    assert not (tmp_path / "out").exists()


def test_an_extra_word_without_a_near_option(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["bench", "now"])
    assert capsys.readouterr().err.strip().splitlines()[-1] == "evfocus bench: error: unrecognized arguments: now"


def test_the_viewer_names_the_nearest_option_too(capsys):
    from evfocus_live.gui import app

    with pytest.raises(SystemExit):
        app.main(["--headless", "--exit-afer", "3"])
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "evfocus-live: error: unrecognized arguments: --exit-afer (did you mean --exit-after-s?)")  # (3: the INPUT)
