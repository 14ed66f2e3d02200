"""A typo of a renamed option's old name (``--exit-afer 3``) was answered "did you mean
--exit-after?": a name --help does not list. The hint names the option as --help shows it."""

from __future__ import annotations

import pytest

from evfocus_live.cli import parse_args
from evfocus_live.gui import app


@pytest.mark.parametrize("typo", ["--exit-afer", "--exit-afterx"])
def test_a_typo_of_the_old_name_suggests_the_new_one(typo, capsys):
    with pytest.raises(SystemExit):
        parse_args(app.build_parser(), ["--camera", "sim", typo, "3"])
    err = capsys.readouterr().err
    assert "did you mean --exit-after-s?" in err, err
