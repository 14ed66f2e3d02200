"""The sdist carries no test files: setuptools adds ``tests/test*.py`` by default, and the
sdist held ``tests/test_version_compare.py`` alone, without its conftest or the recordings
(``../shared/data``) the tests read, nor any ``__pycache__``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD_INPUTS = ("setup.py", "setup.cfg", "pyproject.toml", "MANIFEST.in", "README.md", "evfocus_live")


def test_sdist_has_no_tests_or_caches(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        p = REPO / name
        # (the checkout's caches left out of the copy: a test running beside this one writes and
        # renames .pyc and numba files in them, and copytree fails on a file gone after its listing)
        (shutil.copytree if p.is_dir() else shutil.copy2)(
            p, src / name, **({"ignore": shutil.ignore_patterns("__pycache__")} if p.is_dir() else {}))
    (src / "models" / "configs").mkdir(parents=True)  # setup.py maps models/; the weights do not matter here
    (src / "tests").mkdir()
    # (a test at the root of tests/, where setuptools looks: the version tests were there)
    for name in ("conftest.py", "versions/test_version_compare.py"):
        shutil.copy2(REPO / "tests" / name, src / "tests" / Path(name).name)
    for cache in ("evfocus_live/__pycache__", "evfocus_live/writers/__pycache__"):  # what a checkout holds
        (src / cache).mkdir()
        for stray in ("stray.cpython-311.pyc", "aedat4._pack_dv-42.py311.nbi", "aedat4._pack_dv-42.py311.1.nbc"):
            (src / cache / stray).write_bytes(b"")
    proc = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta as b; "
                           "print(b.build_sdist(sys.argv[1]))", str(tmp_path / "dist")],
                          cwd=src, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with tarfile.open(tmp_path / "dist" / proc.stdout.strip().splitlines()[-1]) as t:
        names = [n.split("/", 1)[1] for n in t.getnames() if "/" in n]
    assert "evfocus_live/cli/__init__.py" in names
    assert not [n for n in names if n.startswith("tests") or "__pycache__" in n or n.endswith(".pyc")], names
