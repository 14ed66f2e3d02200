"""``nohup evfocus-live --headless --camera ... --record run.aedat4 &``: nohup starts the run with
SIGHUP ignored so that it outlives the ssh session. The SIGHUP handler (README "Recording") was
installed over the ignored disposition, so closing the terminal stopped the nohup'ed recording.
An ignored stop signal now stays ignored: the run goes on until its own end (here SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from cli_support import video_frames

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")


@pytest.mark.gui
@pytest.mark.parametrize("headless", [True, False])
def test_a_sighup_that_nohup_ignores_does_not_stop_the_run(tmp_path, tiny_ckpt, headless):
    vid = tmp_path / "out.mp4"
    child = textwrap.dedent(f"""
        import os, signal, sys
        from evfocus_live.gui import recording
        orig_write, sent = recording.Recorder.write_frame, []
        def write_frame(self, frame, t_us=None):
            orig_write(self, frame, t_us)
            if self.n_frames >= 2 and not sent:  # the ssh session closes: nohup'ed, the run goes on
                sent.append(os.kill(os.getpid(), signal.SIGHUP))
            elif self.n_frames >= 2 + 30 and len(sent) == 1:  # a second of video on: its own end
                sent.append(os.kill(os.getpid(), signal.SIGTERM))
                sys.stderr.write("test: SIGTERM sent\\n")
        recording.Recorder.write_frame = write_frame
        from evfocus_live.gui.app import main
        sys.exit(main({[*(['--headless'] if headless else []), '--camera', 'pattern', '--model', str(tiny_ckpt),
                        '--device', 'cpu', '--window-events', '1500', '--post', 'none', '--exit-after', '30',
                        '--video', str(vid)]!r}))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "EVFOCUS_SETTINGS_DIR": str(tmp_path / "settings")}
    proc = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True, timeout=180,
                          preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))  # (what nohup does)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert "SIGHUP" not in proc.stderr, proc.stderr[-2000:]
    assert "test: SIGTERM sent" in proc.stderr, proc.stderr[-2000:]  # (not ended at the SIGHUP)
    if headless:
        assert "SIGTERM: stopping" in proc.stderr, proc.stderr[-2000:]
    assert video_frames(vid) >= 32, proc.stderr[-2000:]
