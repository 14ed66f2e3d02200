"""The inference readout is the painted frame's, as README says of it and the latency: after a
pause the worker still finished the windows already taken (not shown), and the readout took the
pipeline's newest time, of a frame nobody saw (35 ms playing, 88.8 ms once paused)."""

from __future__ import annotations

import time

import pytest
from gui_support import LongFile, make_window, wait_idle


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_window_finished_after_the_pause_does_not_change_the_readout(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, LongFile(), tiny_model)
    paint = win._paint
    caught = []
    win._paint = lambda fv, now: caught.append(fv)  # held back, painted below
    qtbot.waitUntil(lambda: bool(caught), timeout=30_000)
    win.toggle_pause()
    wait_idle(qtbot, win.session)
    fv = caught[0]
    paint(fv, time.monotonic())
    win.session.pipeline.stats.infer_ms = fv.infer_ms + 50.0  # a window taken before the pause, not shown
    win._update_readouts(time.monotonic())
    assert win.readouts.text("infer").startswith(f"{fv.infer_ms:.1f} ms"), (win.readouts.text("infer"), fv.infer_ms)
    win.close()
