"""``python -m evfocus_live.gui`` (the viewer's package, where the ``evfocus-live`` script is not
on PATH) ended with "'evfocus_live.gui' is a package and cannot be directly executed"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_python_m_evfocus_live_gui_is_the_viewer():
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-m", "evfocus_live.gui", "--help"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("usage: evfocus-live"), r.stdout[:200]
