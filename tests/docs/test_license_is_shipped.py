"""The MIT licence text is in the repository, the sdist and the wheel's ``.dist-info``.

setup.cfg said ``license = MIT`` but there was no LICENSE file: MIT asks its notice to go with
every copy, and an admin's ``pip install`` of the wheel carried none.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD_INPUTS = ("setup.py", "setup.cfg", "pyproject.toml", "MANIFEST.in", "README.md", "LICENSE", "evfocus_live")


def test_the_license_is_mit_and_names_its_holder():
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Copyright (c) 2026 the evfocus-live developers" in text


def test_sdist_and_wheel_carry_the_license(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        p = REPO / name
        (shutil.copytree if p.is_dir() else shutil.copy2)(p, src / name,
                                                          **({"ignore": shutil.ignore_patterns("__pycache__")}
                                                             if p.is_dir() else {}))
    (src / "models" / "configs").mkdir(parents=True)  # setup.py maps models/; the weights do not matter here
    for hook in ("build_sdist", "build_wheel"):  # one process each: in one, the wheel went astray
        proc = subprocess.run([sys.executable, "-c", f"import sys; from setuptools import build_meta as b; "
                               f"b.{hook}(sys.argv[1])", str(tmp_path / "dist")],
                              cwd=src, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
    (sdist,), (wheel,) = (list((tmp_path / "dist").glob(p)) for p in ("*.tar.gz", "*.whl"))
    with tarfile.open(sdist) as t:
        assert "LICENSE" in [n.split("/", 1)[1] for n in t.getnames() if "/" in n]
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        assert [n for n in names if ".dist-info/" in n and n.endswith("LICENSE")], names
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-File: LICENSE" in metadata
