"""``python -m evfocus_live.cli`` (the package the ``evfocus`` script points at) ended with
"'evfocus_live.cli' is a package and cannot be directly executed" and exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "evfocus_live.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_python_m_evfocus_live_cli_is_the_tools():
    r = _run("--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("usage: evfocus "), r.stdout[:200]


def test_its_exit_status_is_the_commands():
    r = _run("info", "no/such/file.aedat4")
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr.startswith("evfocus info: error:"), r.stderr
