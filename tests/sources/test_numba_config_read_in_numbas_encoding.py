"""numba reads ``.numba_config.yaml`` in the locale's encoding (``open(name, 'rt')``); the
check that names a file numba cannot read read it as UTF-8. Where the two differ (a C locale
without UTF-8 mode: ASCII; Windows: cp1252) they disagreed: a UTF-8 comment with an accent
passed the check, numba then failed on it, and ``evfocus-live`` ended in a UnicodeDecodeError
traceback (and a cp1252 file numba reads was refused). The file is read as numba reads it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "prophesee_gen3_spinner_evt2.raw"
#: a locale whose encoding is ASCII (Python's UTF-8 mode and locale coercion off)
ASCII_LOCALE = {"PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "LC_ALL": "C", "LANG": "C"}

pytest.importorskip("yaml")


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", **ASCII_LOCALE}
    env.pop("NUMBA_CACHE_DIR", None)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def _write(folder: Path) -> None:
    (folder / ".numba_config.yaml").write_bytes(f"# caché\ncache_dir: {folder / 'nc'}\n".encode())


def test_the_check_reads_the_file_as_numba_does(tmp_path):
    _write(tmp_path)
    code = ("import locale\nfrom evfocus_live.numba_cache import numba_config_problem\n"
            "print(locale.getpreferredencoding(False).upper())\nprint(numba_config_problem())\n")
    p = _run(tmp_path, "-c", code)
    assert p.returncode == 0, p.stderr[-2000:]
    encoding, problem = p.stdout.strip().splitlines()
    if "ASCII" not in encoding and "646" not in encoding and encoding != "ANSI_X3.4-1968":
        pytest.skip(f"no ASCII locale here ({encoding})")
    assert problem != "None" and ".numba_config.yaml" in problem and "fix or remove it" in problem


@pytest.mark.skipif(not DATA.is_file(), reason="needs ../shared/data")
def test_evfocus_live_says_it_in_one_line(tmp_path):
    _write(tmp_path)
    p = _run(tmp_path, "-m", "evfocus_live.gui.app", str(DATA), "--headless", "--exit-after-s", "1",
             "--model", "integrator")
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2, p.stderr[-2000:]
    assert len(lines) == 1 and ".numba_config.yaml" in lines[0] and "fix or remove it" in lines[0], lines
