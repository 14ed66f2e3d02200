"""Every module of the package, the bench scripts and the example plugins opens with a docstring
that says what it is for: a newcomer reads the tree module by module (STYLE.md: docstrings
that say why). ``evfocus_live/__main__.py`` had none."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def modules_without_docstring(paths, root: Path = REPO) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths
            if not (ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or "").strip()]


def _ours() -> list[Path]:
    return sorted([*REPO.glob("evfocus_live/**/*.py"), *REPO.glob("bench/*.py"), *REPO.glob("plugins/*/*/*.py")])


def test_every_module_has_a_docstring():
    paths = _ours()
    assert len(paths) > 90
    missing = modules_without_docstring(paths)
    assert not missing, "modules without a docstring: " + ", ".join(missing)


def test_the_check_sees_a_module_without_one(tmp_path):
    (tmp_path / "a.py").write_text('"""Why a exists."""\nimport sys\n')
    (tmp_path / "b.py").write_text("import sys\n# a comment is not a docstring\n")
    assert modules_without_docstring([tmp_path / "a.py", tmp_path / "b.py"], tmp_path) == ["b.py"]
