"""Headless ``--frames-dir`` encoded and wrote each frame's PNGs on the model's thread (0.9/3.0/
9.9 ms at 346x260/640x480/1280x720), so a slow disk slowed the model. They are written on a
writer thread of its own now, in order, from a bounded queue: the model's thread waits only when
the queue is full (said once); a stop writes what is queued; a failed write still stops the
writing at once; a disk that does not return is given up at the stop, said."""

from __future__ import annotations

import logging
import threading
import time

import cv2
from frames_sink_support import HeldDisk, frame_view

from evfocus_live.cli import reconstruct
from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.errors import InputError
from evfocus_live.gui import app

GUARD_S = 20.0  # (a guard against a hang, not a timing)


def _listed(folder) -> list[str]:
    return (folder / "timestamps.txt").read_text().splitlines()


def _said(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


def _hand_over(sink, indices) -> threading.Thread:
    """The model's thread: hands the frames to the sink, in a thread the test can watch."""
    t = threading.Thread(target=lambda: [sink(frame_view(i)) for i in indices], daemon=True)
    t.start()
    return t


def test_the_pngs_are_written_on_the_writer_thread_in_order(tmp_path, monkeypatch):
    disk = HeldDisk(monkeypatch)
    disk.go.set()
    sink = app._FrameSink(FrameFolder(tmp_path))
    for i in range(6):
        sink(frame_view(i))
    sink.close()
    assert set(disk.threads) == {app.FRAMES_THREAD}, disk.threads
    assert _listed(tmp_path) == [f"{i} {1000 * (i + 1)}" for i in range(6)]
    for i in range(6):  # (each file holds its own frame: the pixel value is the index)
        assert int(cv2.imread(str(tmp_path / f"frame_{i:010d}.png"), cv2.IMREAD_GRAYSCALE)[0, 0]) == i


def test_a_held_disk_does_not_hold_the_model(tmp_path, monkeypatch):
    disk = HeldDisk(monkeypatch)
    sink = app._FrameSink(FrameFolder(tmp_path))
    try:
        model = _hand_over(sink, range(3))
        model.join(GUARD_S)
        assert not model.is_alive(), "the model's thread waited for the disk"
        assert _listed(tmp_path) == []  # (nothing on disk yet: the disk is held)
    finally:
        disk.go.set()
    sink.close()  # (a normal stop: every frame queued is written)
    assert _listed(tmp_path) == ["0 1000", "1 2000", "2 3000"] and sink.error is None


def test_a_full_queue_holds_the_model_and_says_so_once(tmp_path, monkeypatch, caplog):
    disk = HeldDisk(monkeypatch)
    sink = app._FrameSink(FrameFolder(tmp_path), queue_frames=1)
    try:
        with caplog.at_level(logging.WARNING):
            model = _hand_over(sink, range(5))  # (one written, one queued, the third waits)
            deadline = time.monotonic() + GUARD_S
            while not _said(caplog, "slower than the model") and time.monotonic() < deadline:
                time.sleep(0.01)
            assert _said(caplog, "slower than the model"), "a full queue was not said"
            assert model.is_alive()  # (held: backpressure, no frame dropped)
            disk.go.set()
            model.join(GUARD_S)
            sink.close()
    finally:
        disk.go.set()
    assert _listed(tmp_path) == [f"{i} {1000 * (i + 1)}" for i in range(5)]
    assert len(_said(caplog, "slower than the model")) == 1
    assert "the model waits for it" in _said(caplog, "slower than the model")[0]


def test_a_failed_write_stops_the_writing_and_lets_the_model_go(tmp_path, monkeypatch, caplog):
    real = reconstruct._write_png

    def full_at_the_second(path, img):
        if path.name == "frame_0000000001.png":
            raise InputError(f"{path}: cannot write (No space left on device)")
        real(path, img)

    monkeypatch.setattr(reconstruct, "_write_png", full_at_the_second)
    sink = app._FrameSink(FrameFolder(tmp_path), queue_frames=1)
    with caplog.at_level(logging.ERROR):
        model = _hand_over(sink, range(8))
        model.join(GUARD_S)
        assert not model.is_alive()
        sink.close()
    assert sink.error is not None and "No space left" in sink.error
    assert _listed(tmp_path) == ["0 1000"]
    assert sorted(p.name for p in tmp_path.glob("frame_*.png")) == ["frame_0000000000.png"]
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1


def test_a_stop_gives_a_hung_disk_up_after_its_drain_time(tmp_path, monkeypatch, caplog):
    disk = HeldDisk(monkeypatch)
    sink = app._FrameSink(FrameFolder(tmp_path))
    try:
        sink(frame_view(0))
        sink(frame_view(1))
        assert disk.started.wait(GUARD_S)
        with caplog.at_level(logging.WARNING):
            sink.close(drain_s=0.1)  # (returns: the disk is still held)
        assert _said(caplog, "has not taken the last 1 frame"), [r.getMessage() for r in caplog.records]
        sink(frame_view(2))  # (after the close: not taken)
    finally:
        disk.go.set()
    sink._thread.join(GUARD_S)
    assert not sink._thread.is_alive()
    # (the frame in progress finished whole and listed; the one left behind is not on disk)
    assert _listed(tmp_path) == ["0 1000"] and sink.folder.closed
    assert sorted(p.name for p in tmp_path.glob("frame_*.png")) == ["frame_0000000000.png"]


def _keep_up_line(monkeypatch, caplog, write_ms: float, wait_ms: float) -> str:
    import types

    from evfocus_live.gui.session import BehindNotice

    stats = types.SimpleNamespace(behind="the model cannot keep up: 8 ms a window at 64x48, 5 of the last 9 "
                                         "windows skipped", infer_ms=8.0, post_ms=0.0)
    sess = types.SimpleNamespace(stats=lambda: stats, pipeline=types.SimpleNamespace())
    monkeypatch.setattr("evfocus_live.gui.session.faster_hint", lambda p, viewer: "")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        app._say_behind(sess, BehindNotice(), 0.0, types.SimpleNamespace(write_ms=write_ms, wait_ms=wait_ms))
    return _said(caplog, "cannot keep up")[0]


def test_the_keep_up_warning_blames_the_disk_only_when_the_model_waits_for_it(monkeypatch, caplog):
    # (a 45 ms write on its own thread, the model not waiting: the disk is not what holds it back)
    assert "--frames-dir" not in _keep_up_line(monkeypatch, caplog, write_ms=45.0, wait_ms=0.02)
    said = _keep_up_line(monkeypatch, caplog, write_ms=45.0, wait_ms=37.0)
    assert "--frames-dir takes 45 ms" in said and "waits 37 ms a window for the disk" in said, said
