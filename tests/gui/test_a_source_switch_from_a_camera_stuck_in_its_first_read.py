"""The viewer's source switch stops the old pipeline on the GUI thread. A camera whose first
read() never returned held it for up to ``FIRST_READ_JOIN_S`` (5 s; 1 s before that wait came
in), the window frozen and saying nothing: the wait is for a recording's sake only, and said
on the status bar while it lasts."""

from __future__ import annotations

import threading

import pytest
from first_read_support import H, W, StuckFirstRead
from gui_support import make_window, pattern

import evfocus_live.pipeline as pipeline_mod

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def stuck(monkeypatch):
    monkeypatch.setattr(pipeline_mod, "FIRST_READ_JOIN_S", 600.0)  # (the real one is 5 s: longer than the test)
    src = StuckFirstRead()
    yield src
    src.release.set()


def test_a_switch_without_a_recording_does_not_wait_for_the_first_read(qtbot, tmp_path, tiny_model, stuck):
    win = make_window(qtbot, tmp_path, stuck, tiny_model, window_events=800)
    assert stuck.reading.wait(30.0)
    assert win.open_source(pattern(W, H))
    assert not stuck.returned.is_set()  # left behind after 1 s, as any read that does not answer


def test_a_switch_that_waits_for_the_first_read_says_so(qtbot, tmp_path, tiny_model, stuck):
    win = make_window(qtbot, tmp_path, stuck, tiny_model, window_events=800)
    assert stuck.reading.wait(30.0)
    assert win.start_recording(events=True, video=False)
    threading.Timer(1.5, stuck.release.set).start()  # (the read returns while the switch waits)
    assert win.open_source(pattern(W, H))
    assert any(m.startswith("waiting up to ") and "first events, for the recording" in m for m in win.status_log), \
        win.status_log[-5:]
