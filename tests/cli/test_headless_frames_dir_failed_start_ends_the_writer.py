"""A headless ``--frames-dir`` run whose session did not start (``sess.start()`` raised: "can't
start new thread") left the frames writer's thread ``evfocus-frames`` waiting for ever and the
stop signals' handlers installed: the start was outside the ``try`` that closes them, and its
RuntimeError was a traceback. Now every exit closes the sink, and the run ends on one line."""

from __future__ import annotations

import signal
import threading

from cli_support import write_aedat4

from evfocus_live.gui import app
from evfocus_live.gui.session import LiveSession


def test_a_failed_start_ends_the_frames_writer_with_one_line(tmp_path, tiny_ckpt, monkeypatch, capsys):
    def no_thread(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(LiveSession, "start", no_thread)
    rec = write_aedat4(tmp_path / "rec.aedat4", n=5_000, duration_us=50_000)
    before = signal.getsignal(signal.SIGTERM)
    rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none",
                   "--frames-dir", str(tmp_path / "frames")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == app.EXIT_USER_ERROR
    assert len(err) == 1 and "cannot start" in err[0] and "can't start new thread" in err[0], err
    assert not [t for t in threading.enumerate() if t.name == app.FRAMES_THREAD and t.is_alive()]
    assert signal.getsignal(signal.SIGTERM) is before
