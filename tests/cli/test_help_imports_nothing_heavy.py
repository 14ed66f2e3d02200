"""``--help`` of the tools answers without the heavy libraries.

``evfocus --help`` (and each command's, the parser of every command being built) imported
numpy through ``evfocus info``'s module: ~0.1 s of a ~0.3 s answer. torch, Qt, numba and
OpenCV are loaded by the commands that use them, never to print help.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "torch", "PySide6", "pyqtgraph", "numba", "cv2", "scipy", "tqdm")


def _loaded_after(module: str, *args: str) -> list[str]:
    """The HEAVY packages in ``sys.modules`` once ``python -m MODULE ARGS`` has run."""
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['x', *{list(args)!r}]\n"
        "try:\n"
        f"    runpy.run_module({module!r}, run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        f"print('LOADED:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("LOADED:")][-1]
    return [m for m in line[len("LOADED:"):].split(",") if m]


@pytest.mark.parametrize("args", [("--help",), ("info", "--help"), ("reconstruct", "--help"), ("--version",)])
def test_evfocus_help_loads_no_heavy_library(args):
    assert _loaded_after("evfocus_live", *args) == []


def test_viewer_help_loads_no_heavy_library():
    assert _loaded_after("evfocus_live.gui.app", "--help") == []


def test_the_check_sees_a_heavy_import():
    """Guard against a vacuous test: an import made while the module runs is seen."""
    assert "numpy" in _loaded_after("timeit", "-n", "1", "import numpy")
