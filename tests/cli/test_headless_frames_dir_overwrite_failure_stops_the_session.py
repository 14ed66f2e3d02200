"""Headless ``--frames-dir --overwrite``: the earlier run's frames are removed, and the folder's
lists opened, once the session is built; when that failed (a file that cannot be removed, a
folder that cannot be written) the error went up with the session never stopped: its source
open and its threads left running until the process exited. The session is stopped first."""

from __future__ import annotations

import pytest
from cli_support import write_aedat4

from evfocus_live.cli import reconstruct
from evfocus_live.errors import InputError
from evfocus_live.gui import app, session


@pytest.mark.parametrize("failing", ["remove_earlier_outputs", "FrameFolder"])
def test_a_failed_removal_or_folder_stops_the_session(tmp_path, tiny_ckpt, monkeypatch, failing):
    def fail(*args, **kwargs):
        raise InputError(f"{tmp_path / 'frames'}: cannot write (Permission denied)")

    stopped = []
    stop = session.LiveSession.stop
    monkeypatch.setattr(session.LiveSession, "stop", lambda self, *a, **k: (stopped.append(self), stop(self, *a, **k)))
    monkeypatch.setattr(reconstruct, failing, fail)
    rec = write_aedat4(tmp_path / "rec.aedat4", n=2_000, duration_us=20_000)
    rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none", "--frames-dir",
                   str(tmp_path / "frames"), "--overwrite"])
    assert rc == 2
    assert len(stopped) == 1
