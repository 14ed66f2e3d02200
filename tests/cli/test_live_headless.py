"""``evfocus-live`` from the command line and ``--headless``: outputs that would overwrite the input,
the log line, source errors, SIGTERM."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap

import pytest
from cli_support import video_frames, write_aedat4

from evfocus_live.gui import app


@pytest.mark.parametrize("flag", ["--record", "--video", "--screenshot"])
@pytest.mark.parametrize("headless", [True, False])
def test_live_refuses_an_output_that_is_the_input(tmp_path, monkeypatch, capsys, flag, headless):
    """``evfocus-live --headless rec.aedat4 --record rec.aedat4`` truncated the file the
    reader had mapped: Bus error (exit 135) and an 842-byte rec.aedat4. Refused before any
    run, also under another spelling of the path or through a hard link."""
    rec = write_aedat4(tmp_path / "rec.aedat4")
    before = rec.read_bytes()
    os.link(rec, tmp_path / "hard.aedat4")

    def must_not_run(*a, **k):
        raise AssertionError("the run started")

    monkeypatch.setattr(app, "run_headless", must_not_run)
    monkeypatch.setattr(app, "run_window", must_not_run)
    for out in (rec, tmp_path / "sub" / ".." / "rec.aedat4", tmp_path / "hard.aedat4"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        argv = [str(rec), flag, str(out), "--exit-after", "1"] + (["--headless"] if headless else [])
        assert app.main(argv) == app.EXIT_USER_ERROR
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "is the input" in err and flag in err, err
    assert rec.read_bytes() == before


def test_live_accepts_an_output_beside_the_input(tmp_path, monkeypatch):
    rec = write_aedat4(tmp_path / "rec.aedat4")
    ran = []
    monkeypatch.setattr(app, "run_headless", lambda *a: ran.append(a) or 0)
    assert app.main([str(rec), "--headless", "--record", str(tmp_path / "copy.aedat4")]) == 0
    assert ran


def test_headless_log_line_counts_skipped_windows(tmp_path, tiny_ckpt, caplog, monkeypatch):
    """The once-a-second line said dropped= but not the windows a paced run skipped to keep
    up, so a slow model dropped windows without a visible count."""
    from evfocus_live import pipeline

    monkeypatch.setattr(pipeline.PipelineStats, "skipped_windows", 7)  # (a class default: the field's)
    rec = write_aedat4(tmp_path / "rec.aedat4", n=60_000, duration_us=5_000_000)
    with caplog.at_level(logging.INFO, logger="evfocus_live.gui"):
        rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none",
                       "--window-events", "2000", "--exit-after", "1.5"])
    assert rc == 0
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("t=")]
    assert lines and all(re.search(r" skipped=\d+", ln) for ln in lines), lines


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("headless", [True, False])
def test_sigterm_finalises_the_recording_and_a_busy_worker_does_not_abort_the_exit(tmp_path, tiny_ckpt, headless):
    """``timeout 10 evfocus-live --headless --video out.mp4`` (or a process manager's kill)
    left an .mp4 without its index that no player opens: only Ctrl-C was handled. And a run
    ending while the model was still in a window longer than the stop's wait (``evfocus-full``
    on a CPU, its first window) aborted as the interpreter exited under it: "terminate
    called without an active exception", exit 134."""
    vid, rec = tmp_path / "out.mp4", tmp_path / "out.aedat4"
    child = textwrap.dedent(f"""
        import os, signal, sys, torch
        from evfocus_live.gui import recording, session
        orig_write, orig_stop = recording.Recorder.write_frame, session.LiveSession.stop
        sent = []
        def write_frame(self, frame, t_us=None):
            orig_write(self, frame, t_us)
            if self.n_frames >= 2 and not sent:  # a recording under way: kill it as `timeout` would
                sent.append(1)
                os.kill(os.getpid(), signal.SIGTERM)
                a = torch.rand(400, 400)
                for _ in range(400):  # a slow model's window: torch, outlasting the stop's wait
                    a = torch.tanh(a @ a)
                print("worker done", file=sys.stderr)
        recording.Recorder.write_frame = write_frame
        session.LiveSession.stop = lambda self, timeout_s=5.0: orig_stop(self, 0.2)
        from evfocus_live.gui.app import main
        sys.exit(main({[*(['--headless'] if headless else []), '--camera', 'pattern', '--model', str(tiny_ckpt),
                        '--device', 'cpu', '--window-events', '1500', '--post', 'none', '--exit-after', '300',
                        '--video', str(vid), '--record', str(rec)]!r}))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert "worker done" in proc.stderr and "terminate called" not in proc.stderr, proc.stderr[-2000:]
    assert video_frames(vid) >= 2, proc.stderr[-2000:]
    from evfocus_live.sources import open_source
    with open_source(rec) as src:
        assert sum(len(b) for b in src) > 0


def test_headless_source_error_is_one_line_and_exit_2(tmp_path):
    """A bad row replayed headless was said three times (pipeline twice, then the app)."""
    import os
    import subprocess
    import sys

    rows = ["346 260"] + [f"{i * 10} {i % 346} {i % 260} {i % 2}" for i in range(60_000)]
    rows[50_001] = "1 2 bogus 4"
    p = tmp_path / "bad.txt"
    p.write_text("\n".join(rows) + "\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "evfocus_live.gui.app", "--headless", str(p), "--speed", "0",
                           "--post", "none", "--exit-after", "60"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    said = [ln for ln in proc.stderr.splitlines() if "bogus" in ln]
    assert len(said) == 1 and "line 50002" in said[0] and "ERROR" in said[0], proc.stderr[-2000:]
