"""The recorder on a disk that fills: a first write that failed (disk full) left a file holding
only its header, which every reader refuses; and a looped DAVIS replay recorded at 1x (~4.3 MB/s)
filled the disk, the file's last packets and index lost. Now the header-only file is removed
(never one holding events), and a recording stops cleanly, its files kept readable, once its
disk is nearly full (checked at the start and every ``disk_check_s`` while it runs)."""

from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest
from cli_support import write_aedat4
from conftest import make_events

from evfocus_live.errors import EvFocusError
from evfocus_live.gui import app, recording
from evfocus_live.gui.recording import Recorder
from evfocus_live.sources import open_file

GB = 10**9


class FakeDisk:
    """``shutil.disk_usage`` whose free space the test sets; counts its calls."""

    def __init__(self, free: int, low_after: int | None = None):
        self.free, self.low_after, self.calls = free, low_after, 0

    def __call__(self, path):
        self.calls += 1
        free = self.free if self.low_after is None or self.calls <= self.low_after else 10**6
        return shutil._ntuple_diskusage(100 * GB, 100 * GB - free, free)


def _read(path) -> np.ndarray:
    with open_file(path) as src:
        return np.concatenate(list(src))


def _disk_full(*_a, **_k):
    raise OSError(28, "No space left on device")


def test_a_first_write_that_fails_leaves_no_header_only_file(tmp_path, monkeypatch):
    from evfocus_live.writers.aedat4 import Aedat4Writer

    monkeypatch.setattr(Aedat4Writer, "write", _disk_full)
    rec = Recorder()
    rec.start(events_path=tmp_path / "a.aedat4", width=346, height=260)
    rec.write_events(make_events(100))
    assert rec.stop() == []
    assert not (tmp_path / "a.aedat4").exists()
    assert "No space left" in rec.error and "a.aedat4 removed" in rec.error


def test_a_later_write_that_fails_keeps_the_events_written(tmp_path, monkeypatch):
    from evfocus_live.writers.aedat4 import Aedat4Writer

    ev = make_events(2_000, duration_us=100_000, seed=1)
    rec = Recorder()
    rec.start(events_path=tmp_path / "b.aedat4", width=346, height=260)
    rec.write_events(ev[:1_000])  # 50 ms: written as packets at once
    n = rec.n_events
    assert n > 0
    monkeypatch.setattr(Aedat4Writer, "write", _disk_full)
    rec.write_events(ev[1_000:])
    assert not rec.active and "No space left" in rec.error and "removed" not in rec.error
    assert len(_read(tmp_path / "b.aedat4")) == n


def test_a_recording_is_refused_on_a_nearly_full_disk(tmp_path, monkeypatch):
    disk = FakeDisk(10 * GB)
    monkeypatch.setattr(shutil, "disk_usage", disk)
    rec = Recorder()
    rec.start(events_path=tmp_path / "c.aedat4", width=346, height=260)
    disk.free = 100 * 10**6
    with pytest.raises(EvFocusError, match="cannot record: only 100 MB free"):
        rec.start(events_path=tmp_path / "d.aedat4", width=346, height=260)
    assert rec.active and not (tmp_path / "d.aedat4").exists()  # the running one goes on
    rec.stop()


def test_a_recording_stops_cleanly_before_the_disk_is_full(tmp_path, monkeypatch):
    disk = FakeDisk(10 * GB)
    monkeypatch.setattr(shutil, "disk_usage", disk)
    ev = make_events(4_000, duration_us=200_000, seed=2)
    rec = Recorder()
    rec.disk_check_s = 0.0  # (every write: the test drives the recorder, no clock)
    rec.start(events_path=tmp_path / "e.aedat4", video_path=tmp_path / "e.mp4", width=346, height=260)
    rec.write_events(ev[:2_000])
    rec.write_frame(np.zeros((260, 346), np.uint8), int(ev["t"][1_999]))
    assert rec.active and rec.error is None
    disk.free = 200 * 10**6
    rec.write_events(ev[2_000:])
    assert not rec.active
    assert rec.error.startswith("recording stopped: only 200 MB free") and "e.aedat4 (" in rec.error
    assert "e.mp4 (" in rec.error
    got = _read(tmp_path / "e.aedat4")  # finalised: index and footer written
    assert 0 < len(got) == rec.n_events <= 2_000
    rec.write_events(ev[2_000:])  # (nothing more, no error)
    assert rec.stop() == []


def test_headless_stops_the_run_and_exits_2_when_the_disk_nearly_fills(tmp_path, monkeypatch, tiny_ckpt, caplog):
    src = write_aedat4(tmp_path / "in.aedat4", n=40_000, duration_us=2_000_000)
    out = tmp_path / "out.aedat4"
    monkeypatch.setattr(recording, "DISK_CHECK_S", 0.0)
    monkeypatch.setattr(shutil, "disk_usage", FakeDisk(10 * GB, low_after=2))  # the start's, one write's
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        rc = app.main([str(src), "--headless", "--model", str(tiny_ckpt), "--post", "none", "--record", str(out)])
    assert rc == 2
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(m.startswith("recording stopped: only 1 MB free") for m in said), said
    assert len(_read(out)) > 0


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_viewer_says_a_recording_stopped_for_the_disk(qtbot, tmp_path, tiny_model, monkeypatch):
    from gui_support import FRAME_TIMEOUT_MS, davis_window, wait_frames

    disk = FakeDisk(10 * GB)
    monkeypatch.setattr(shutil, "disk_usage", disk)
    win = davis_window(qtbot, tmp_path, tiny_model, speed=1.0, loop=True)
    wait_frames(qtbot, win, 1)
    win.record_button.click()
    rec = win.session.recorder
    rec.disk_check_s = 0.0
    qtbot.waitUntil(lambda: rec.n_events > 0, timeout=FRAME_TIMEOUT_MS)
    disk.free = 100 * 10**6
    qtbot.waitUntil(lambda: not win.record_button.isChecked(), timeout=FRAME_TIMEOUT_MS)
    assert not rec.active and win.failure.startswith("recording stopped: only 100 MB free")
    assert any(m.startswith("recording stopped: only 100 MB free") for m in win.status_log)
    kept = next((tmp_path / "rec").glob("*.aedat4"))
    assert str(kept) in win.failure and len(_read(kept)) == rec.n_events > 0
    win.close()
