"""The headless parts never import Qt (so the CLI, servers and CI run without a display)."""

from __future__ import annotations

import subprocess
import sys

MODULES = ["evfocus_live.core", "evfocus_live.core.slicing", "evfocus_live.core.voxel", "evfocus_live.core.render",
           "evfocus_live.core.postprocess", "evfocus_live.pipeline", "evfocus_live.ringbuffer",
           "evfocus_live.sources", "evfocus_live.nn", "evfocus_live.cli.reconstruct"]


def test_headless_modules_do_not_import_qt():
    code = (
        "import sys, importlib\n"
        f"for m in {MODULES!r}:\n"
        "    importlib.import_module(m)\n"
        "from evfocus_live.sources import source_registry\n"
        "source_registry().load_all()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'PyQt5', 'PyQt6'))\n"
        "print('QT:' + ','.join(bad))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("QT:")][0]
    assert line == "QT:", f"Qt imported by the headless core: {line[3:]}"


def test_the_check_detects_qt():
    """Guard against a vacuous test: importing Qt is seen by the same check."""
    code = ("import sys, pyqtgraph\n"
            "print('QT:' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph'))))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "pyqtgraph" in r.stdout
