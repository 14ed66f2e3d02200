"""``--frames-dir``'s write time was 0.0 until a first write finished: a disk whose first write
hung (a network share) was said to take "0 ms a frame to write" in the queue-full warning and
"takes 0 ms" in the keep-up warning. Nothing is said about the write time before a write has
finished ("first write still going")."""

from __future__ import annotations

import logging
import threading
import types

from frames_sink_support import HeldDisk, frame_view

from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.gui import app
from evfocus_live.gui.session import BehindNotice


def test_the_queue_full_warning_before_a_first_write(tmp_path, monkeypatch, caplog):
    disk = HeldDisk(monkeypatch)
    sink = app._FrameSink(FrameFolder(tmp_path), queue_frames=1)
    with caplog.at_level(logging.WARNING):
        sink(frame_view(0))
        assert disk.started.wait(30.0)  # (the writer holds frame 0: its write has not finished)
        sink(frame_view(1))  # (the queue's one place)
        third = threading.Thread(target=sink, args=(frame_view(2),))
        third.start()  # (the queue full: said, then it waits for the disk)
        try:
            for _ in range(300):
                if any("slower than the model" in r.getMessage() for r in caplog.records):
                    break
                third.join(0.1)
        finally:
            disk.go.set()
            third.join(30.0)
            sink.close(say=False)
    said = [r.getMessage() for r in caplog.records if "slower than the model" in r.getMessage()]
    assert len(said) == 1, said
    assert "0 ms" not in said[0] and "first write still going" in said[0], said
    assert sink.write_ms is not None  # (measured once a write has finished)


def test_the_keep_up_warning_before_a_first_write(monkeypatch, caplog):
    stats = types.SimpleNamespace(behind="the model cannot keep up: 8 ms a window at 64x48, 5 of the last 9 "
                                         "windows skipped", infer_ms=8.0, post_ms=0.0)
    sess = types.SimpleNamespace(stats=lambda: stats, pipeline=types.SimpleNamespace())
    monkeypatch.setattr("evfocus_live.gui.session.faster_hint", lambda p, viewer: "")
    with caplog.at_level(logging.WARNING):
        app._say_behind(sess, BehindNotice(), 0.0, types.SimpleNamespace(write_ms=None, wait_ms=40.0))
    said = [r.getMessage() for r in caplog.records if "cannot keep up" in r.getMessage()]
    assert len(said) == 1, said
    assert "takes" not in said[0] and "first write is still going" in said[0] and "waits 40 ms" in said[0], said
