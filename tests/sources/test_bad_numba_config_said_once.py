"""A ``.numba_config.yaml`` numba cannot read (in the current folder) made each event reader's
plugin fail on ``import numba``: ``evfocus info FILE`` printed 7 "plugin ... failed to load:
ParserError: while parsing a flow sequence" warnings before the one line that names the file.
A failure that numba's reading of that file caused is not warned about plugin by plugin: the
failure is kept as the file's problem, said once where the run needs what failed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "prophesee_gen3_spinner_evt2.raw"

pytest.importorskip("yaml")


@pytest.mark.skipif(not DATA.is_file(), reason="needs ../shared/data")
@pytest.mark.parametrize("text", ["cache_dir: [unclosed\n  x: :\n", "- cache_dir\n"])
def test_evfocus_info_says_the_bad_file_in_one_line(tmp_path, text):
    (tmp_path / ".numba_config.yaml").write_text(text)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NUMBA_CACHE_DIR", None)
    p = subprocess.run([sys.executable, "-m", "evfocus_live.cli", "info", str(DATA)], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=120)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2
    assert len(lines) == 1, lines
    assert ".numba_config.yaml" in lines[0] and "fix or remove it" in lines[0]


@pytest.mark.skipif(not DATA.is_file(), reason="needs ../shared/data")
@pytest.mark.parametrize("extra", [["--headless", "--exit-after-s", "1"], ["--list-plugins"]])
def test_evfocus_live_says_the_bad_file_in_one_line(tmp_path, extra):
    """(evfocus-live's recorder imports numba: the ParserError was a traceback)"""
    (tmp_path / ".numba_config.yaml").write_text("cache_dir: [unclosed\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("NUMBA_CACHE_DIR", None)
    p = subprocess.run([sys.executable, "-m", "evfocus_live.gui.app", str(DATA), *extra], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=120)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2
    assert len(lines) == 1 and ".numba_config.yaml" in lines[0] and "fix or remove it" in lines[0], lines
