"""``-v``/``-q`` after the subcommand (``evfocus simulate DIR -q``, which ``simulate --help``
and ``eval --help`` invite with "also with -q") were refused as unrecognised arguments: only
``evfocus -q simulate DIR`` was accepted."""

from __future__ import annotations

import pytest

from evfocus_live.cli import build_parser


@pytest.mark.parametrize("command", [["info", "rec.raw"], ["reconstruct", "rec.raw", "-o", "out"],
                                     ["simulate", "out"], ["bench"]])
def test_quiet_and_verbose_after_the_command(command):
    p = build_parser()
    assert p.parse_args(command + ["-q"]).quiet is True
    assert p.parse_args(command + ["-v", "-v"]).verbose == 2


def test_before_the_command_still_counts():
    p = build_parser()
    args = p.parse_args(["-v", "-q", "info", "rec.raw"])
    assert args.verbose == 1 and args.quiet is True
    args = p.parse_args(["info", "rec.raw"])
    assert args.verbose == 0 and args.quiet is False
