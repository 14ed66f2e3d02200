"""README's "Tour of the tree" names every module and test folder there is, and the names its
"where new code goes" steps point at exist.

test_readme.py checks that what the tour names exists; nothing checked the other way, and the
tour had fallen behind: `config_file.py`, `numba_cache.py`, `resources.py` and `versions.py`
had no row, the helpers of `sources/` (`evt`, `fileio`, `corrupt_times`), `cli/` (`signals`,
`text`), `core/stats` and `train/ceiling`/`synth` were named nowhere, three version tests sat
at the root of tests/ (where README said only shared helpers are), and a newcomer was not told
where a new backend, network or command goes.
"""

from __future__ import annotations

import importlib
import re

import pytest

from readme_checker import README, REPO, _section

PACKAGE = REPO / "evfocus_live"


def _rows(text: str) -> dict[str, str]:
    """Tour path -> the rest of its row."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| `([^`]+)` \|(.*)$", text, re.M)}


def tour_gaps(text: str) -> list[str]:
    """What exists in the tree but the tour (``text``: the section) leaves out."""
    rows = _rows(text)
    gaps = []
    for path in sorted(PACKAGE.iterdir()):
        rel = path.relative_to(REPO).as_posix()
        if path.is_file() and path.suffix == ".py" and path.name != "__init__.py":
            if rel not in rows:
                gaps.append(f"{rel}: no row")
        elif path.is_dir() and (path / "__init__.py").is_file():
            row = rows.get(rel + "/")
            if row is None:
                gaps.append(f"{rel}/: no row")
                continue
            named = set(re.findall(r"`(?:[\w/]*/)?(\w+?)(?:\.py)?`", row))
            for mod in sorted(path.glob("*.py")):
                if mod.stem not in ("__init__", "__main__") and mod.stem not in named:
                    gaps.append(f"{rel}/{mod.name}: not named in its package's row")
    tests = REPO / "tests"
    listed = set(re.findall(r"`(\w+)/`", rows.get("tests/", "")))
    have = {d.name for d in tests.iterdir() if d.is_dir() and any(d.glob("test_*.py"))}
    gaps += [f"tests/{d}/: not named in the tests row" for d in sorted(have - listed)]
    gaps += [f"tests/{d}/: named but not there" for d in sorted(listed - have)]
    gaps += [f"tests/{t.name}: a test at the root, where only shared helpers are"
             for t in sorted(tests.glob("test_*.py"))]
    return gaps


def test_tour_names_every_module_and_test_folder():
    gaps = tour_gaps(_section(README.read_text(encoding="utf-8"), "Tour of the tree"))
    assert not gaps, "README's tour of the tree leaves out:\n" + "\n".join(gaps)


def test_tour_check_sees_what_is_left_out():
    """The old tour's gaps, as found in the tree of session 31."""
    old = ("| `evfocus_live/config.py` | x |\n"
           "| `evfocus_live/sources/` | one module per backend behind `EventSource` |\n"
           "| `tests/` | (`sources/`, `docs/`) |\n")
    gaps = tour_gaps(old)
    assert "evfocus_live/versions.py: no row" in gaps
    assert "evfocus_live/sources/fileio.py: not named in its package's row" in gaps
    assert "evfocus_live/cli/: no row" in gaps
    assert "tests/gui/: not named in the tests row" in gaps


#: "added to `ARCHS` and `ARCH_OPTIONS` in `nn/registry.py`": names in a module
_NAMED_IN = re.compile(r"`([A-Z][A-Z_]+)`(?: and `([A-Z][A-Z_]+)`)? in `((?:evfocus_live/)?[\w/]+\.py)`")


def test_where_new_code_goes_names_what_exists():
    text = " ".join(_section(README.read_text(encoding="utf-8"), "Tour of the tree").split())
    found = _NAMED_IN.findall(text)
    assert {n for f in found for n in f[:2] if n} >= {"ARCHS", "ARCH_OPTIONS", "SHIPPED", "SUBCOMMANDS"}
    for a, b, path in found:
        rel = path if path.startswith("evfocus_live/") else "evfocus_live/" + path
        assert (REPO / rel).is_file(), rel
        mod = importlib.import_module(rel[:-3].replace("/", ".").removesuffix(".__init__"))
        for name in (a, b):
            assert not name or hasattr(mod, name), f"README: {rel} has no {name}"
    # a subcommand module is what README says: add_parser(subparsers) and run(args)
    from evfocus_live.cli import SUBCOMMANDS
    for modname in SUBCOMMANDS.values():
        mod = importlib.import_module(modname)
        assert callable(getattr(mod, "add_parser", None)) and callable(getattr(mod, "run", None)), modname


@pytest.mark.parametrize("group", ["evfocus_live.sources", "evfocus_live.postprocessors", "evfocus_live.models"])
def test_setup_cfg_is_where_built_ins_are_named(group):
    """The steps say a built-in is named in setup.cfg: each group is there."""
    cfg = (REPO / "setup.cfg").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(group)} =$", cfg, re.M), group


_QT = ("PySide6", "pyqtgraph", "PyQt5", "PyQt6", "shiboken6")


def qt_imports_outside_gui(root) -> list[str]:
    """``path:line module`` for every import of Qt (at any depth: a function's own import too)
    in a module of ``root`` outside its ``gui/`` package."""
    import ast

    found = []
    for path in sorted(root.rglob("*.py")):
        if "gui" in path.relative_to(root).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            found += [f"{path.relative_to(root)}:{node.lineno} {n}" for n in names if n.split(".")[0] in _QT]
    return found


def test_qt_is_imported_under_gui_only():
    """The tour says `gui/` is "the only place Qt is imported"; tests/core/test_core_no_qt.py
    imports a fixed list of modules, so a new module elsewhere (or a lazy import inside a
    function) was not looked at."""
    bad = qt_imports_outside_gui(PACKAGE)
    assert not bad, "Qt imported outside evfocus_live/gui/:\n" + "\n".join(bad)


def test_qt_check_sees_a_lazy_import(tmp_path):
    (tmp_path / "gui").mkdir()
    (tmp_path / "gui" / "w.py").write_text("from PySide6 import QtCore\n")
    (tmp_path / "core.py").write_text("def f():\n    import pyqtgraph as pg\n    return pg\n")
    assert qt_imports_outside_gui(tmp_path) == ["core.py:2 pyqtgraph"]
