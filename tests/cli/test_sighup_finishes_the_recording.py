"""SIGHUP (the ssh session of a live run closed) killed ``evfocus-live``: exit 129, no line, the
.mp4 without its index (no player opens it). It now stops as SIGTERM and Ctrl-C do: the files
finished, one line naming the signal, exit 0 (README "Recording")."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from cli_support import video_frames

from evfocus_live.sources import open_source

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")


@pytest.mark.gui
@pytest.mark.parametrize("headless", [True, False])
def test_sighup_finishes_the_recording_and_says_so(tmp_path, tiny_ckpt, headless):
    vid, rec = tmp_path / "out.mp4", tmp_path / "out.aedat4"
    child = textwrap.dedent(f"""
        import os, signal, sys
        from evfocus_live.gui import recording
        orig_write, sent = recording.Recorder.write_frame, []
        def write_frame(self, frame, t_us=None):
            orig_write(self, frame, t_us)
            if self.n_frames >= 2 and not sent:  # a recording under way: the terminal goes
                sent.append(1)
                os.kill(os.getpid(), signal.SIGHUP)
        recording.Recorder.write_frame = write_frame
        from evfocus_live.gui.app import main
        sys.exit(main({[*(['--headless'] if headless else []), '--camera', 'pattern', '--model', str(tiny_ckpt),
                        '--device', 'cpu', '--window-events', '1500', '--post', 'none', '--exit-after', '60',
                        '--video', str(vid), '--record', str(rec)]!r}))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "EVFOCUS_SETTINGS_DIR": str(tmp_path / "settings")}
    proc = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True, timeout=180,
                          preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))  # (pytest under nohup)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    if headless:  # (the window closes as for Ctrl-C: its own lines)
        assert sum("SIGHUP: stopping" in ln for ln in proc.stderr.splitlines()) == 1, proc.stderr[-2000:]
    assert video_frames(vid) >= 2, proc.stderr[-2000:]
    with open_source(rec) as src:
        assert sum(len(b) for b in src) > 0
