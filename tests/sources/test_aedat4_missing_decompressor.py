"""An AEDAT4 file whose decompressor package is missing is one clear line at opening.

A bare Python with no lz4 (seen on a lent GPU machine) read the DAVIS recording as "corrupt
AEDAT4 packet at byte 166372 (ModuleNotFoundError)" and its index as damaged."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources.aedat4_file import Aedat4FileSource

DAVIS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "davis346_pegboard_aestream.aedat4"


def test_missing_lz4_is_one_clear_error(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "lz4" else real(name, *a))
    with pytest.raises(InputError, match=r"LZ4-compressed AEDAT4 needs the 'lz4' package \(pip install lz4\)"):
        Aedat4FileSource(str(DAVIS))


def test_info_without_lz4_exits_2_in_one_line(tmp_path):
    # a child whose import of lz4 fails, as on a machine without the package
    block = tmp_path / "block"
    block.mkdir()
    (block / "sitecustomize.py").write_text("import sys\nsys.modules['lz4'] = None\n")
    repo = Path(__file__).resolve().parents[2]
    env = {"PYTHONPATH": f"{block}:{repo}", "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "evfocus_live", "info", str(DAVIS)], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "needs the 'lz4' package" in lines[0], r.stderr
    assert "corrupt" not in r.stderr and "Traceback" not in r.stderr
