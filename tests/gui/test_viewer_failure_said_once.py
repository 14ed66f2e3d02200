"""A viewer run whose file did not open said why twice, the same text on two lines in a row: the
status bar's error logged as a warning, then the exit line (``evfocus-live: error: ...``, the
terminal's last line since the exit status became 2 for such runs). The exit line says it
now; a later failure of the same run is still logged when it comes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_a_file_that_did_not_open_is_said_once(tmp_path, tiny_ckpt):
    missing = tmp_path / "recording.npy"
    script = f"""
import sys
from evfocus_live.gui import app
sys.exit(app.main([{str(missing)!r}, "--model", {str(tiny_ckpt)!r}, "--device", "cpu", "--post", "none",
                   "--exit-after-s", "2"]))
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "EVFOCUS_SETTINGS_DIR": str(tmp_path / "settings"),
           "PYTHONPATH": os.pathsep.join([str(TESTS.parent), str(TESTS), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=180,
                         cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert lines[-1].startswith(f"evfocus-live: error: {missing}: no such file"), run.stderr
    assert sum(f"{missing}: no such file" in line for line in lines) == 1, run.stderr
