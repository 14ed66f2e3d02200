"""Closing the viewer while recording events from a camera still in its first read(): the
README says quitting waits for that read (up to 5 s, said) so its events are kept, as a source
switch does. The window finished the recording first, then stopped the pipeline: the recording
was closed with nothing in it (removed, "nothing saved") and the read was not waited for."""

from __future__ import annotations

import threading

import pytest
from first_read_support import H, W, StuckFirstRead
from gui_support import make_window

import evfocus_live.pipeline as pipeline_mod
from evfocus_live.sources import open_file

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def stuck(monkeypatch):
    monkeypatch.setattr(pipeline_mod, "FIRST_READ_JOIN_S", 600.0)  # (the real one is 5 s: longer than the test)
    src = StuckFirstRead()
    yield src
    src.release.set()


def test_closing_while_recording_keeps_the_first_reads_events(qtbot, tmp_path, tiny_model, stuck):
    win = make_window(qtbot, tmp_path, stuck, tiny_model, window_events=800)
    assert stuck.reading.wait(30.0)
    assert win.start_recording(events=True, video=False)
    threading.Timer(1.5, stuck.release.set).start()  # (the read returns while the close waits)
    win.close()
    files = sorted((tmp_path / "rec").glob("*.aedat4"))
    assert files, "the recording was closed before the first read returned"
    with open_file(files[0]) as f:
        n = sum(len(b) for b in f)
    assert n >= 2000  # (the first read's batch)
    assert any(m.startswith("waiting up to ") and "first events, for the recording" in m for m in win.status_log), \
        win.status_log[-5:]
