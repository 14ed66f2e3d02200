"""numba reads ``.numba_config.yaml`` from the current folder as it is imported; a file it cannot
parse there (a YAML error, a list rather than settings) makes ``import numba`` raise, so every
event reader failed to load and ``evfocus info`` ended in "unknown event file format
(supported: )": the formats it does read, none, and not a word of the file to fix. It now says
which file is wrong and to fix or remove it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evfocus_live.numba_cache import numba_config_problem

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "prophesee_gen3_spinner_evt2.raw"

pytest.importorskip("yaml")


@pytest.mark.parametrize("text, why", [("cache_dir: [unclosed\n", "not valid YAML"),
                                       ("- cache_dir\n", "not a mapping of settings"),
                                       ("1: 2\n", "not a mapping of settings")])
def test_a_file_numba_cannot_read_is_named(tmp_path, monkeypatch, text, why):
    (tmp_path / ".numba_config.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    problem = numba_config_problem()
    assert problem is not None and why in problem
    assert str(tmp_path / ".numba_config.yaml") in problem and "fix or remove it" in problem


@pytest.mark.parametrize("text", ["", "cache_dir: /x\n", "# nothing\n"])
def test_a_file_numba_reads_is_fine(tmp_path, monkeypatch, text):
    (tmp_path / ".numba_config.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    assert numba_config_problem() is None


def test_no_file_is_fine(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert numba_config_problem() is None


@pytest.mark.skipif(not DATA.is_file(), reason="needs ../shared/data")
def test_evfocus_info_names_the_file_not_an_unknown_format(tmp_path):
    (tmp_path / ".numba_config.yaml").write_text("cache_dir: [unclosed\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NUMBA_CACHE_DIR", None)
    p = subprocess.run([sys.executable, "-m", "evfocus_live.cli", "info", str(DATA)], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode != 0
    last = p.stderr.strip().splitlines()[-1]
    assert "unknown event file format" not in last
    assert ".numba_config.yaml" in last and "fix or remove it" in last
    assert "Traceback" not in p.stderr
