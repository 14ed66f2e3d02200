"""A ``.numba_config.yaml`` numba cannot parse (in the current folder) was one line only where
an event reader failed to load (``evfocus info``, ``reconstruct``): ``evfocus simulate`` and
``evfocus bench`` import numba themselves, and its ``yaml.parser.ParserError`` was a 30-line
traceback (exit 1). Any command failing on numba's reading of that file says the file in one
line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("yaml")


def _evfocus(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NUMBA_CACHE_DIR", None)
    return subprocess.run([sys.executable, "-m", "evfocus_live.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("args", [("simulate", "out", "--sequences", "1", "--duration", "0.2"),
                                  ("bench", "--quick")])
def test_a_command_importing_numba_says_the_bad_file_in_one_line(tmp_path, args):
    (tmp_path / ".numba_config.yaml").write_text("cache_dir: [unclosed\n")
    p = _evfocus(tmp_path, *args)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2, p.stderr[-2000:]
    assert "Traceback" not in p.stderr
    assert ".numba_config.yaml" in lines[-1] and "fix or remove it" in lines[-1], lines
    assert lines[-1].startswith(f"evfocus {args[0]}: error: ")


def test_a_valid_settings_file_changes_nothing(tmp_path):
    """Guard: a file numba reads is no error (the run goes on, nothing said of it)."""
    (tmp_path / ".numba_config.yaml").write_text(f"cache_dir: {tmp_path / 'nc'}\n")
    p = _evfocus(tmp_path, "simulate", "out", "--sequences", "1", "--duration", "0.2")
    assert p.returncode == 0, p.stderr[-2000:]
    assert "numba_config" not in p.stderr
