"""The viewer's source switch stops the old pipeline on the GUI thread. A camera whose first
read() never returned held it for up to ``FIRST_READ_JOIN_S`` (5 s; 1 s before that wait came
in), the window frozen and saying nothing: the wait is for a recording's sake only, and said
on the status bar while it lasts."""

from __future__ import annotations

import pytest
from first_read_support import (H, W, held_first_read,  # noqa: F401 (a fixture)
                                record_events_then_release, said_waiting_for_the_first_events)
from gui_support import make_window, pattern

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_a_switch_without_a_recording_does_not_wait_for_the_first_read(qtbot, tmp_path, tiny_model, held_first_read):
    win = make_window(qtbot, tmp_path, held_first_read, tiny_model, window_events=800)
    assert held_first_read.reading.wait(30.0)
    assert win.open_source(pattern(W, H))
    assert not held_first_read.returned.is_set()  # left behind after 1 s, as any read that does not answer


def test_a_switch_that_waits_for_the_first_read_says_so(qtbot, tmp_path, tiny_model, held_first_read):
    win = make_window(qtbot, tmp_path, held_first_read, tiny_model, window_events=800)
    record_events_then_release(win, held_first_read)  # (the read returns while the switch waits)
    assert win.open_source(pattern(W, H))
    assert said_waiting_for_the_first_events(win), win.status_log[-5:]
