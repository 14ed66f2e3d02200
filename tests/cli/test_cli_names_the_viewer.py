"""``python -m evfocus_live`` (the ``evfocus`` tools) points at the viewer, a separate command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _help(*module: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-m", *module, "--help"], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_tools_help_names_the_viewer_and_how_to_run_it_without_the_script():
    """`python -m evfocus_live --help` listed info, reconstruct, ... and never said that the
    viewer is `evfocus-live`; one who ran the module looked for a `view` subcommand."""
    text = _help("evfocus_live")
    assert "evfocus-live --help" in text, text
    assert "python -m evfocus_live.gui.app" in text, text


def test_the_module_the_tools_help_names_is_the_viewer():
    assert _help("evfocus_live.gui.app").startswith("usage: evfocus-live")
