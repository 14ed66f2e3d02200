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


def test_a_plugin_broken_by_the_file_keeps_the_files_problem(tmp_path, monkeypatch, caplog):
    """(in-process: the registry's failure is the file's problem, logged at debug only)"""
    import logging
    from importlib.metadata import EntryPoint

    from evfocus_live.plugins import Registry

    (tmp_path / ".numba_config.yaml").write_text("cache_dir: [unclosed\n  x: :\n")
    monkeypatch.chdir(tmp_path)
    mod = tmp_path / "needs_numba_s32.py"
    mod.write_text("import sys\nsys.modules.pop('numba', None)\nimport numba\nX = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    saved = {k: v for k, v in sys.modules.items() if k == "numba" or k.startswith("numba.")}
    for k in saved:
        del sys.modules[k]
    try:
        reg = Registry("evfocus_live.test_s32", [EntryPoint("x", "needs_numba_s32:X", "evfocus_live.test_s32")])
        with caplog.at_level(logging.WARNING):
            with pytest.raises(KeyError):
                reg.load("x")
    finally:
        for k in [k for k in sys.modules if k == "numba" or k.startswith("numba.")]:
            del sys.modules[k]
        sys.modules.update(saved)
    assert not [r for r in caplog.records if "failed to load" in r.getMessage()]
    assert ".numba_config.yaml" in reg.failures["x"] and "fix or remove it" in reg.failures["x"]


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
