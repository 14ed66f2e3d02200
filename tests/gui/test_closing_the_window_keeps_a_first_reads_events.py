"""Closing the viewer while recording events from a camera still in its first read(): the
README says quitting waits for that read (up to 5 s, said) so its events are kept, as a source
switch does. The window finished the recording first, then stopped the pipeline: the recording
was closed with nothing in it (removed, "nothing saved") and the read was not waited for."""

from __future__ import annotations

import pytest
from first_read_support import (held_first_read,  # noqa: F401 (a fixture)
                                record_events_then_release, said_waiting_for_the_first_events)
from gui_support import make_window

from evfocus_live.sources import open_file

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_closing_while_recording_keeps_the_first_reads_events(qtbot, tmp_path, tiny_model, held_first_read):
    win = make_window(qtbot, tmp_path, held_first_read, tiny_model, window_events=800)
    record_events_then_release(win, held_first_read)  # (the read returns while the close waits)
    win.close()
    files = sorted((tmp_path / "rec").glob("*.aedat4"))
    assert files, "the recording was closed before the first read returned"
    with open_file(files[0]) as f:
        n = sum(len(b) for b in f)
    assert n >= 2000  # (the first read's batch)
    assert said_waiting_for_the_first_events(win), win.status_log[-5:]
