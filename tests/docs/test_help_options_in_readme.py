"""Every option a command's ``--help`` lists is in README, said of that command.

test_readme.py checks the other way (what README names exists). A newcomer reading README
never learns of an option it leaves out (`evfocus train --lr`, `evfocus bench --json`): here
each option of `evfocus`, its subcommands and `evfocus-live` must be attributed to its program
by README's own reading rules (a command line, or an option span in a paragraph or section
about it). Options every program has (`-v`, `-q`) need one mention, of any program.
"""

from __future__ import annotations

import argparse

import pytest
import readme_checker
from readme_checker import README, Parsers, readme_problems

PROGRAMS = ("evfocus", "evfocus-live", "evfocus info", "evfocus reconstruct", "evfocus simulate",
            "evfocus train", "evfocus eval", "evfocus bench")


def _options(parser: argparse.ArgumentParser) -> list[tuple[str, ...]]:
    """Each option's names as ``--help`` shows them (help itself and hidden ones left out)."""
    return [tuple(a.option_strings) for a in parser._actions
            if a.option_strings and a.help != argparse.SUPPRESS and not isinstance(a, argparse._HelpAction)]


def _attributed(text: str, parsers: Parsers, monkeypatch) -> set[tuple[str, str]]:
    """``(program, option)`` for every option README's checker reads as said of ``program``."""
    seen: set[tuple[str, str]] = set()
    check = readme_checker._check_option

    def record(parser, program, opt, value):
        seen.add((program, opt))
        return check(parser, program, opt, value)

    monkeypatch.setattr(readme_checker, "_check_option", record)
    readme_problems(text, parsers)
    return seen


def undocumented(text: str, parsers: Parsers, monkeypatch) -> list[str]:
    """``program: option`` for each ``--help`` option that ``text`` does not document."""
    seen = _attributed(text, parsers, monkeypatch)
    anywhere = {opt for _, opt in seen}
    per_program = {p: _options(parsers.get(p)) for p in PROGRAMS}
    common = set.intersection(*({n for names in opts for n in names} for opts in per_program.values()))
    missing = []
    for program, opts in per_program.items():
        for names in opts:
            if set(names) <= common:
                ok = bool(set(names) & anywhere)
            else:
                ok = any((program, n) in seen for n in names)
            if not ok:
                missing.append(f"{program}: {'/'.join(names)}")
    return missing


@pytest.fixture
def parsers(monkeypatch):
    return Parsers(monkeypatch)


def test_every_help_option_is_in_readme(parsers, monkeypatch):
    missing = undocumented(README.read_text(encoding="utf-8"), parsers, monkeypatch)
    assert not missing, "options in --help that README never mentions:\n" + "\n".join(missing)


def test_the_check_sees_an_option_left_out(parsers, monkeypatch):
    """An option named only of another command does not count for this one; a common one
    counts once for all."""
    missing = undocumented("## A\n`evfocus info F --json -v`\n", parsers, monkeypatch)
    assert "evfocus bench: --json" in missing and "evfocus info: --json" not in missing
    assert not any(m.endswith("-v/--verbose") for m in missing), missing
    assert "evfocus train: --lr" in missing
