"""A headless run of a recording starts its first threads as the session is made (the time
range found, APS frames read in the background), before ``sess.start()``: where no thread can
be started ("can't start new thread") that RuntimeError was a traceback out of
``evfocus-live``, though the same failure a moment later in ``sess.start()`` was one line."""

from __future__ import annotations

import threading

import pytest
from cli_support import write_aedat4

from evfocus_live.gui import app
from evfocus_live.gui.session import APS_THREAD


@pytest.mark.parametrize("thread", ["evfocus-time-range", APS_THREAD])
def test_a_session_thread_not_started_is_one_line(tmp_path, tiny_ckpt, monkeypatch, capsys, thread):
    real_start = threading.Thread.start
    refused = []

    def start(self):
        if self.name == thread:
            refused.append(thread)
            raise RuntimeError("can't start new thread")
        return real_start(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    rec = write_aedat4(tmp_path / "rec.aedat4", n=5_000, duration_us=50_000)
    rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none", "--exit-after-s", "0.2"])
    err = capsys.readouterr().err.strip().splitlines()
    assert refused  # (the thread this test stops was asked for: else it tests nothing)
    assert rc == app.EXIT_USER_ERROR
    assert len(err) == 1 and "can't start new thread" in err[0], err
