"""Paused at the end of a recording with fixed-duration windows, the "reader ahead" readout said
"130 ms (next pass)": the last window's time is its end on the window grid, past the last event
the reader read, and that 1 µs behind was taken for a reader wrapped into the loop's next pass."""

from __future__ import annotations

import pytest
from gui_support import LongFile, make_window, wait_frames

from evfocus_live.config import WindowConfig
from evfocus_live.gui.window import _read_ahead


def test_a_frame_timed_past_the_last_event_is_not_a_next_pass():
    r = (1_000_000, 1_129_999)
    assert _read_ahead(r[1], r[1] + 1, r, seeking=False) == "0 ms"
    # a reader truly in the next pass: the rest of this one and the start of the next
    assert _read_ahead(r[0] + 20_000, r[1] - 10_000, r, seeking=False) == "30 ms (next pass)"


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_paused_at_the_end_the_reader_is_not_ahead(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, LongFile(), tiny_model, window=WindowConfig(mode="duration", window_ms=7))
    wait_frames(qtbot, win, 1)
    win.toggle_pause()
    r = win.session.time_range_us
    win.seek(r[1])  # the end (→ past it, the slider's end): the recording's last whole window
    qtbot.waitUntil(lambda: win.last_frame.t_us >= r[1] and win.session.seek_target_us is None, timeout=30_000)
    win._update_readouts(0.0)
    assert win.last_frame.t_us > r[1]  # (the window's end on its grid, past the last event)
    assert win.readouts.text("read_ahead") == "0 ms", win.readouts.text("read_ahead")
    win.close()
