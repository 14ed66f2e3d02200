"""``evfocus-live rec.aedat4 --record out.aedat4`` in the window started recording on the event
loop's first turn, after the window had built and started its source: the events read
meanwhile were not recorded (77,027 of the DAVIS pegboard file's 117,667; a short file could
end before it and leave no recording at all, said nowhere). Headless recorded them all. The
recording starts before the source reads now."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import DAVIS_FILE

from evfocus_live.sources import open_file


def _events_in(path) -> int:
    with open_file(path) as src:
        return sum(len(b) for b in src)


def test_the_window_records_a_replay_from_its_first_event(tmp_path, tiny_ckpt):
    rec = DAVIS_FILE  # (0.13 s in many packets: the reader had read some before the loop's first turn)
    out = tmp_path / "out.aedat4"
    script = f"""
import sys
from evfocus_live.gui import app
sys.exit(app.main([{str(rec)!r}, "--no-loop", "--record", {str(out)!r}, "--model", {str(tiny_ckpt)!r},
                   "--device", "cpu", "--post", "none", "--exit-after-s", "3"]))
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "EVFOCUS_SETTINGS_DIR": str(tmp_path / "settings")}
    # (a process of its own: app.exec() in this one leaves pytest-qt's later waits returning at once)
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         timeout=180, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert out.exists(), run.stderr
    assert _events_in(out) == _events_in(rec), run.stderr
