"""The recorder and headless ``--frames-dir`` each kept their own every-5-s free-space timer (a
near copy of the interval check beside ``disk_low``). One ``recording.DiskWatch`` does it for
both: due at once, then once every ``check_s``; its line names what stops."""

from __future__ import annotations

from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.gui import app, recording
from evfocus_live.gui.recording import DiskWatch, Recorder

LOW_BYTES = 100 * 10**6


def test_due_at_once_then_once_every_check_s():
    clock = [50.0]
    watch = DiskWatch(check_s=5.0, clock_s=lambda: clock[0])
    assert watch.due()  # (never looked at)
    assert not watch.due()
    clock[0] += 4.9
    assert not watch.due()
    clock[0] += 0.2
    assert watch.due() and not watch.due()


def test_low_says_why_and_counts_as_a_look(monkeypatch, tmp_path):
    monkeypatch.setattr(recording, "_free_bytes", lambda path: LOW_BYTES)
    clock = [0.0]
    watch = DiskWatch("--frames-dir", clock_s=lambda: clock[0])
    said = watch.low([tmp_path])
    assert said.startswith("only 100 MB free") and "--frames-dir stops under 256 MB" in said, said
    assert watch.low_when_due([tmp_path]) is None  # (looked at just now)
    clock[0] += recording.DISK_CHECK_S
    assert watch.low_when_due([tmp_path]) == said


def test_the_recorder_and_the_frames_sink_share_it(tmp_path):
    rec, sink = Recorder(), app._FrameSink(FrameFolder(tmp_path))
    try:
        assert isinstance(rec.disk, DiskWatch) and isinstance(sink.disk, DiskWatch)
        rec.disk_check_s = sink.disk_check_s = 0.0  # (the tests' knob: the watch's)
        assert rec.disk.check_s == sink.disk.check_s == 0.0
        assert sink.disk.stops == "--frames-dir" and rec.disk.stops == "a recording"
    finally:
        sink.close(say=False)
