"""A test module takes shared fixtures and helpers from a ``tests/*_support.py`` module, never
from another test module: importing one runs its tests' module code again under a second name,
ties the two files' fates together (a rename or a moved fixture breaks the other), and pytest
collects the imported fixtures twice."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_test_module_imports_another():
    offenders = sorted(
        f"{path.relative_to(TESTS)} imports {name}"
        for path in TESTS.rglob("*.py")
        for name in _imported_modules(path)
        if name.rsplit(".", 1)[-1].startswith("test_"))
    assert not offenders, "\n".join(offenders)
