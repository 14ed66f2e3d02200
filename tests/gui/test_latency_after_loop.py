"""The latency readout is the painted frame's, from when its own events were read. A looped
replay reads the same sensor times again on each pass: a frame painted after the next pass had
read past its time (a short file, a model behind) was matched to that pass's read and showed
"1 ms" beside a 30 ms inference; the arrival is now taken when the worker finishes the frame."""

from __future__ import annotations

import time

import pytest
from gui_support import LongFile, make_window


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_latency_is_measured_from_the_frames_own_pass(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, LongFile(), tiny_model)
    paint = win._paint
    caught = []
    win._paint = lambda fv, now: caught.append(fv)  # hold the next frame back, unpainted
    qtbot.waitUntil(lambda: bool(caught), timeout=30_000)
    win.toggle_pause()  # (a paused replay reads no further)
    fv = caught[0]
    s = win.session
    while (time.monotonic() - fv.t_done) * 1e3 < 50:  # (qtbot.wait(50) alone returned after 49.3 ms once)
        qtbot.wait(10)
    done_ago_ms = (time.monotonic() - fv.t_done) * 1e3
    # the loop's seek cleared this pass's read times; the next pass reads the frame's time again, now
    s._arrivals.clear()
    s._arrivals.append((fv.t_us, time.monotonic()))
    paint(fv, time.monotonic())
    assert win._latency_ms is not None
    assert win._latency_ms >= done_ago_ms >= 50, (win._latency_ms, done_ago_ms)
    win.close()
