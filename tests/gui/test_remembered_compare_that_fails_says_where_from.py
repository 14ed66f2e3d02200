"""A remembered compare model that no longer loads (its checkpoint deleted or moved, its plugin
uninstalled) was a status line at every launch, "compare model: checkpoint not found: ... -
comparing with none", naming a model the command line did not: the user could not tell where it
came from, nor that picking in the "vs" box (which showed none) forgets it. The line says both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


SCRIPT = """
import sys
from evfocus_live.gui import app, window
built = []
class Kept(window.MainWindow):
    def __init__(self, opts):
        super().__init__(opts)
        built.append(self)
window.MainWindow = Kept
rc = app.main(sys.argv[1:])
print("\\n".join("STATUS " + line for line in built[0].status_log))
sys.exit(rc)
"""


def run_viewer(tmp_path, remembered: str, *argv: str) -> tuple[int, list[str], str]:
    """``evfocus-live ARGV --exit-after-s 1`` with ``remembered`` the vs box's last pick: its exit
    status, its status bar's lines, its stderr (a process of its own: app.exec() in this one
    leaves pytest-qt's later waits returning at once)."""
    settings_dir = tmp_path / "settings"
    settings_dir.mkdir(exist_ok=True)
    (settings_dir / "evfocus-live.ini").write_text(f"[model]\ncompare={remembered}\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "EVFOCUS_SETTINGS_DIR": str(settings_dir),
           "PYTHONPATH": os.pathsep.join([str(TESTS.parent), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", SCRIPT, *argv, "--device", "cpu", "--post", "none",
                          "--exit-after-s", "1"], env=env, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    status = [line[len("STATUS "):] for line in run.stdout.splitlines() if line.startswith("STATUS ")]
    return run.returncode, status, run.stderr


def test_a_remembered_checkpoint_gone_says_it_was_the_vs_box_pick(tmp_path, tiny_ckpt):
    gone = tmp_path / "old" / "mine.pt"
    rc, status, err = run_viewer(tmp_path, str(gone), "--model", str(tiny_ckpt))
    assert rc == 0, err  # (not a failed run)
    said = [line for line in status if "mine.pt" in line and "not found" in line]
    assert said and '"vs" box' in said[-1] and "earlier run" in said[-1], status
    assert sum("mine.pt" in line for line in err.splitlines()) <= 2, err  # (the log: the choice read, its fault)
    assert str(gone) in (tmp_path / "settings" / "evfocus-live.ini").read_text()  # (not forgotten unasked)


def test_a_compare_asked_for_on_the_command_line_is_not_called_remembered(tmp_path, tiny_ckpt):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")  # (there: --compare's check passes, the window's load fails)
    rc, status, err = run_viewer(tmp_path, "e2vid", "--model", str(tiny_ckpt), "--compare", str(bad))
    assert any("bad.pt" in line and line.endswith("comparing with none") for line in status), (status, err)
    assert not any("earlier run" in line for line in status)
