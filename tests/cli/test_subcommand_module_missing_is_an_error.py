"""A module named in ``cli.SUBCOMMANDS`` that is not there is an error, not a command left out.

``build_parser`` skipped such a module in silence (left from before every subcommand was
written): a new command whose module path was misspelt simply did not exist, and
``evfocus NEW`` said "invalid choice" with no hint why.
"""

from __future__ import annotations

import pytest

from evfocus_live import cli


def test_a_missing_subcommand_module_raises(monkeypatch):
    monkeypatch.setitem(cli.SUBCOMMANDS, "export", "evfocus_live.cli.exprot")
    with pytest.raises(ModuleNotFoundError, match="exprot"):
        cli.build_parser()


def test_every_listed_subcommand_is_built():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(cli.SUBCOMMANDS)
