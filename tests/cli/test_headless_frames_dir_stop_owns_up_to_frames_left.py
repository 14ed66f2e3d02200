"""Headless ``--frames-dir``'s writer thread at the run's stop. A disk that had not taken the
frames queued within the drain time (or a write that never returned) was a warning only: the run
exited 0, "done: 37 frames" beside 3 on disk. A second Ctrl-C (or SIGTERM) during that drain cut
it short: the stop signals' handlers were given back before it, so the frames still queued were
lost and the run ended "interrupted" (130) without its done line. And the model's wait for the
disk, said in the keep-up warning, took any slow hand-over (a thread switch) for the disk's."""

from __future__ import annotations

import logging
import os
import signal
import threading

from cli_support import write_aedat4
from frames_sink_support import HeldDisk, frame_view

from evfocus_live.cli import reconstruct
from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.gui import app

GUARD_S = 30.0  # (a guard against a hang, not a timing)


def _listed(folder) -> list[str]:
    path = folder / "timestamps.txt"
    return path.read_text().splitlines() if path.exists() else []


def _writer_ends() -> None:
    for t in threading.enumerate():
        if t.name == app.FRAMES_THREAD:
            t.join(GUARD_S)


def test_frames_left_by_the_drain_are_the_sinks_error(tmp_path, monkeypatch):
    disk = HeldDisk(monkeypatch)
    sink = app._FrameSink(FrameFolder(tmp_path))
    try:
        for i in range(3):
            sink(frame_view(i))
        assert disk.started.wait(GUARD_S)
        sink.close(drain_s=0.05)
    finally:
        disk.go.set()
    sink._thread.join(GUARD_S)
    assert sink.error is not None, "frames left unwritten, yet no error: the run exits 0"
    assert "3 frames" in sink.error and "not written" in sink.error, sink.error
    assert len(_listed(tmp_path)) < 3  # (what the error says: they are missing)


class _RoomySink(app._FrameSink):
    """The sink with room for every frame of a short run: the model is never held, so that the
    session's stop does not wait for it (its own 5 s) and the drain is all the test watches."""

    closing = threading.Event()

    def __init__(self, folder, **kw):
        super().__init__(folder, queue_frames=100_000)

    def close(self, *a, **kw):
        type(self).closing.set()
        super().close(*a, **kw)


def _run(tmp_path, tiny_ckpt, monkeypatch, caplog, capsys) -> tuple[int, list[str], str]:
    _RoomySink.closing = threading.Event()
    monkeypatch.setattr(app, "_FrameSink", _RoomySink)
    rec = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=200_000)
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--device", "cpu", "--post", "none",
                       "--precision", "fp32", "--speed", "0", "--frames-dir", str(tmp_path / "out")])
    return rc, [r.getMessage() for r in caplog.records], capsys.readouterr().err


def test_a_hung_disk_at_the_stop_ends_the_run_with_exit_2(tmp_path, tiny_ckpt, monkeypatch, caplog, capsys):
    monkeypatch.setattr(app, "FRAMES_DRAIN_S", 0.05)
    monkeypatch.setattr(app, "FRAMES_HUNG_S", 0.05)
    disk = HeldDisk(monkeypatch)  # (no write returns until the run has returned)
    try:
        rc, said, err = _run(tmp_path, tiny_ckpt, monkeypatch, caplog, capsys)
    finally:
        disk.go.set()
        _writer_ends()
    made = [m for m in said if m.startswith("done: ")]
    assert made and not made[0].startswith("done: 0 frames"), said[-8:]
    assert rc == 2, (rc, said[-8:])
    lines = [ln for ln in err.splitlines() if ln.startswith("evfocus-live: error: --frames-dir")]
    assert len(lines) == 1 and "not written" in lines[0], err


def test_a_stop_signal_during_the_drain_does_not_cut_it_short(tmp_path, tiny_ckpt, monkeypatch, caplog, capsys):
    real, sent = reconstruct._write_png, []

    def held_till_the_stop(path, img):
        """No write until the drain began; then a second Ctrl-C, during it."""
        if not _RoomySink.closing.wait(GUARD_S):
            raise AssertionError("the run never stopped")
        if not sent:
            sent.append(path.name)
            os.kill(os.getpid(), signal.SIGINT)
        real(path, img)

    monkeypatch.setattr(reconstruct, "_write_png", held_till_the_stop)
    try:
        rc, said, err = _run(tmp_path, tiny_ckpt, monkeypatch, caplog, capsys)
    finally:
        _RoomySink.closing.set()
        _writer_ends()
    assert sent, "no frame was made"
    assert rc == 0, (rc, err, said[-6:])
    done = [m for m in said if m.startswith("done: ")]
    assert done, said[-6:]
    made = int(done[0].split()[1])
    assert len(_listed(tmp_path / "out")) == made, (made, _listed(tmp_path / "out"))


def test_the_models_wait_said_is_only_a_full_queues(tmp_path, monkeypatch):
    ticks = iter(0.025 * i for i in range(10_000))  # (each look at the clock: 25 ms later)
    disk = HeldDisk(monkeypatch)
    sink = app._FrameSink(FrameFolder(tmp_path), clock_s=lambda: next(ticks), queue_frames=8)
    try:
        for i in range(3):  # (room in the queue: the model waited for nothing)
            sink(frame_view(i))
        assert sink.wait_ms == 0.0, sink.wait_ms
    finally:
        disk.go.set()
        sink.close()
    assert _listed(tmp_path) == ["0 1000", "1 2000", "2 3000"]


def test_a_full_queues_wait_is_said(tmp_path, monkeypatch):
    ticks = iter(0.025 * i for i in range(10_000))
    disk = HeldDisk(monkeypatch)
    sink = app._FrameSink(FrameFolder(tmp_path), clock_s=lambda: next(ticks), queue_frames=1)
    model = threading.Thread(target=lambda: [sink(frame_view(i)) for i in range(3)], daemon=True)
    try:
        model.start()  # (one written, one queued, the third waits for the disk)
        for _ in range(int(GUARD_S / 0.01)):
            if sink._full_said:
                break
            threading.Event().wait(0.01)
        assert sink._full_said, "the queue never filled"
    finally:
        disk.go.set()
    model.join(GUARD_S)
    sink.close()
    assert sink.wait_ms > 0.0
