"""``--exit-after-s`` is taken by its prefixes, its old name ``--exit-after`` among them."""

from __future__ import annotations

import pytest

from evfocus_live.gui import app


@pytest.mark.parametrize("argv", [["--exit-after-s", "3"], ["--exit-after", "3"], ["--exit-after=3"],
                                  ["--exit-aft", "3"], ["--exit-a=3"]])
def test_prefixes_of_exit_after_s_are_taken(argv):
    """``--exit-aft 3`` was "ambiguous option: could match --exit-after-s, --exit-after" (the
    hidden old name, registered beside it, competed for every shorter prefix)."""
    assert app.build_parser().parse_args(["--camera", "sim", *argv]).exit_after_s == 3.0


def test_the_help_names_only_exit_after_s():
    text = app.build_parser().format_help()
    assert "--exit-after-s" in text and "--exit-after " not in text
