"""Every option with a default says it in its --help line: ``--jobs``, ``--backend``,
``--device``, ``--event-mode``, ``--snapshot-dir``, ``--record-dir``, ``--psf`` and eval's
``--models`` did not, so a new user had to read the source (or README) to learn them."""

from __future__ import annotations

import argparse

from evfocus_live.cli import build_parser
from evfocus_live.gui.app import build_parser as build_live_parser


def _parsers() -> dict[str, argparse.ArgumentParser]:
    top = build_parser()
    out = {"evfocus": top, "evfocus-live": build_live_parser()}
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            out.update({f"evfocus {name}": sub for name, sub in action.choices.items()})
    return out


def test_every_default_is_stated():
    missing = []
    for program, parser in _parsers().items():
        for a in parser._actions:
            if not a.option_strings or isinstance(a, (argparse._HelpAction, argparse._VersionAction)):
                continue
            if a.default in (None, False, 0, argparse.SUPPRESS):  # flags, counts, "not given"
                continue
            if "default" not in (a.help or "").lower():
                missing.append(f"{program} {a.option_strings[-1]} (default {a.default!r})")
    assert not missing, missing
