"""README names every optional extra of setup.cfg, and no extra it lacks.

A newcomer installs what README says (`pip install -e .`); an extra it never names is a
feature that fails for them with an ImportError (the 'metrics' extra behind `evfocus eval`'s
BRISQUE and NIQE was one), and a named one that is not there is a pip warning and nothing.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _extras() -> set[str]:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    return set(cfg["options.extras_require"])


def _named_in(text: str) -> set[str]:
    """Extras README installs (`.[yaml]`, `evfocus-live[onnx]`) or names (its `[test]` extra)."""
    installed = re.findall(r"(?:\.|evfocus-live)\[([\w,-]+)\]", text)
    named = re.findall(r"`\[([\w-]+)\]`\s+extra", text)
    return {e for group in installed for e in group.split(",")} | set(named)


def test_readme_names_every_extra_and_only_those():
    named = _named_in((REPO / "README.md").read_text(encoding="utf-8"))
    extras = _extras()
    assert named <= extras, f"README installs extras setup.cfg lacks: {sorted(named - extras)}"
    assert extras <= named, f"setup.cfg extras README never names: {sorted(extras - named)}"


def test_the_reader_finds_both_ways_of_naming_one():
    assert _named_in("pip install -e '.[yaml,onnx]' and its `[test]` extra") == {"yaml", "onnx", "test"}
