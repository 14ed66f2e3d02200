"""Each `python -m evfocus_live.X` that README or a model card names says, in its usage line,
the command that was typed (or the console script it is).

argparse's default is the file's name: `python -m evfocus_live.train.graft --help` said
"usage: graft.py", a command that does not exist for a newcomer to type.
"""

from __future__ import annotations

import re

import pytest
from readme_checker import REPO, Parsers

#: the modules that run a console script: its name is what the usage line should say
SCRIPTS = {"evfocus_live": "evfocus", "evfocus_live.gui": "evfocus-live", "evfocus_live.gui.app": "evfocus-live"}


def _modules() -> list[str]:
    docs = [REPO / "README.md", *sorted((REPO / "models").glob("*.md"))]
    found = {m for d in docs for m in re.findall(r"python -m (evfocus_live[\w.]*\w)", d.read_text(encoding="utf-8"))}
    return sorted(found)


def test_the_docs_name_modules_to_run():
    assert {"evfocus_live.train.graft", "evfocus_live.train.average", "evfocus_live.gui.screenshot"} <= set(_modules())


@pytest.mark.parametrize("module", _modules())
def test_usage_line_names_the_command(module, monkeypatch):
    parser = Parsers(monkeypatch).get(module)
    assert not isinstance(parser, str), parser
    assert parser.prog == SCRIPTS.get(module, f"python -m {module}")
