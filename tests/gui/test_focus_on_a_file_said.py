"""``--focus`` given with a recording is said on the viewer's status bar, not only in the log."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REAL_FILES


def _statuses(tmp_path, tiny_ckpt, *argv: str) -> tuple[list[str], str]:
    """The viewer's status-bar messages of a one-second run of ``evfocus-live argv`` (in a process of
    its own: a viewer's event loop run here left pytest-qt's later waits returning at once)."""
    script = f"""
from evfocus_live.gui import app, window
said = []
status = window.MainWindow.status
def spy(self, text, *a, **kw):
    said.append(text)
    return status(self, text, *a, **kw)
window.MainWindow.status = spy
rc = app.main({list(argv)!r} + ["--model", {str(tiny_ckpt)!r}, "--device", "cpu", "--exit-after", "1"])
print("rc", rc)
for m in said:
    print("said", m)
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert "rc 0" in run.stdout.splitlines(), run.stdout + run.stderr
    return [ln[5:] for ln in run.stdout.splitlines() if ln.startswith("said ")], run.stderr


def test_focus_with_a_recording_is_said_on_the_status_bar(tmp_path, tiny_ckpt):
    """The window showed "playing <file>" only: a user who turned --focus to refocus a recording
    saw it do nothing, with the reason in a terminal behind the window."""
    said, log = _statuses(tmp_path, tiny_ckpt, str(REAL_FILES["evt2"]["path"]), "--focus", "0.5")
    assert any(m.startswith("--focus turns the simulated camera's focus knob only") for m in said), said
    assert log.count("--focus turns") == 1  # (logged once, not again by the status bar)


def test_focus_with_the_simulated_camera_says_nothing_of_the_kind(tmp_path, tiny_ckpt):
    said, _ = _statuses(tmp_path, tiny_ckpt, "--camera", "sim", "--focus", "0.5")
    assert not any("--focus" in m for m in said), said
