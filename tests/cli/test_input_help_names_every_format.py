"""The INPUT help of `evfocus info`, `evfocus reconstruct` and `evfocus-live` names every file
type README's format table has: `.csv` was in `evfocus info --help` only, so a newcomer with
a CSV export read the other two as refusing it."""

from __future__ import annotations

import argparse
import re

import pytest

from evfocus_live.cli import build_parser
from evfocus_live.gui.app import build_parser as build_live_parser

#: README's format table, one extension per format (HDF5's .hdf/.hdf5 are read too, unnamed)
FORMATS = (".aedat4", ".raw", ".h5", ".npy", ".npz", ".txt", ".csv")


def _input_help(parser: argparse.ArgumentParser) -> str:
    (pos,) = [a for a in parser._actions if not a.option_strings]
    return pos.help


def _sub(name: str) -> argparse.ArgumentParser:
    (subs,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return subs.choices[name]


@pytest.mark.parametrize("program", ["evfocus info", "evfocus reconstruct", "evfocus-live"])
def test_input_help_names_every_format(program):
    parser = build_live_parser() if program == "evfocus-live" else _sub(program.split()[1])
    text = _input_help(parser)
    named = set(re.findall(r"\.\w+", text))
    missing = [ext for ext in FORMATS if ext not in named]
    assert not missing, f"{program} --help's INPUT does not name {missing}: {text!r}"
