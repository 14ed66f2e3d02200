"""README's synopses of reconstruct, simulate and train (the usage they quote) wrote other
placeholders than --help after the placeholders were made one per kind of value: ``--fps F``
beside ``--fps FPS``, ``--seed K`` beside ``--seed SEED``, ``--max-minutes M`` beside
``--max-minutes MAX_MINUTES``, ``--out DIR`` beside ``--out OUT``. A synopsis's
``--option PLACEHOLDER`` is the one --help writes (a list of values, ``NAME|PATH``, explains
instead and is left alone)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
PROGRAMS = ("reconstruct", "simulate", "train")


def _synopsis(program: str) -> str:
    """The first code span of ``evfocus PROGRAM`` then a capital and an option (its usage)."""
    m = re.search(rf"`evfocus {program} [A-Z][^`]* --[^`]*`", README.read_text(encoding="utf-8"))
    assert m, f"README has no synopsis of evfocus {program}"
    return m.group(0)


def _help_placeholders(program: str) -> dict[str, str]:
    from evfocus_live.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices[program]
    return {opt: sub._get_formatter()._format_args(a, a.dest.upper()).split()[0]
            for a in sub._actions if a.option_strings and a.nargs != 0 and a.choices is None
            for opt in a.option_strings if opt.startswith("--")}


@pytest.mark.parametrize("program", PROGRAMS)
def test_synopsis_placeholders_are_the_helps(program):
    shown = _help_placeholders(program)
    wrong = [f"{opt} {ph} (help: {shown[opt]})"
             for opt, ph in re.findall(r"(--[a-z][a-z0-9-]*) ([A-Z][^\s\]`]*)", _synopsis(program))
             if opt in shown and "|" not in ph and ph != shown[opt]]
    assert not wrong
