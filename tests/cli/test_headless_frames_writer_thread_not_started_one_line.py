"""``--frames-dir``'s writer thread is the first a headless run starts: where no thread can be
started ("can't start new thread": a process or cgroup at its thread limit) its RuntimeError
was a traceback out of ``evfocus-live``, and the frames list it had opened was left open. A
failed ``sess.start()`` just after was one line already; this one is said as one line too."""

from __future__ import annotations

import threading

from cli_support import write_aedat4

from evfocus_live.cli import reconstruct
from evfocus_live.gui import app


def test_the_frames_writer_not_started_is_one_line(tmp_path, tiny_ckpt, monkeypatch, capsys):
    real_start = threading.Thread.start
    folders = []

    def start(self):
        if self.name == app.FRAMES_THREAD:
            raise RuntimeError("can't start new thread")
        return real_start(self)

    class Folder(reconstruct.FrameFolder):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            folders.append(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    monkeypatch.setattr(reconstruct, "FrameFolder", Folder)
    rec = write_aedat4(tmp_path / "rec.aedat4", n=5_000, duration_us=50_000)
    rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--post", "none",
                   "--frames-dir", str(tmp_path / "frames")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == app.EXIT_USER_ERROR
    assert len(err) == 1 and "--frames-dir" in err[0] and "can't start new thread" in err[0], err
    assert folders and all(f.closed for f in folders)  # (its timestamps list closed, not left open)
