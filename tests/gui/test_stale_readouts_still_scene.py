"""A still scene makes frames far apart (a window of 31,486 events fills from a still DAVIS's
noise in ~16 s): the latency and inference readouts took 3 of those gaps (48 s) to go stale, so
they read "54 ms" as if current while the status bar said "no new frame for 10 s". Only a slow
model's time per frame stretches the 2 s, not the gap a quiet scene leaves."""

from __future__ import annotations

import dataclasses
import time

import pytest
from gui_support import LongFile, make_window

from evfocus_live.gui.window import READOUT_STALE_S


@pytest.fixture
def two_frames(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, LongFile(), tiny_model)
    paint = win._paint
    caught = []
    win._paint = lambda fv, now: caught.append(fv)  # held back, painted below at chosen times
    qtbot.waitUntil(lambda: len(caught) >= 2, timeout=30_000)
    win.toggle_pause()
    yield win, paint, caught[:2]
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_frames_far_apart_do_not_keep_the_readouts_current(two_frames):
    win, paint, (a, b) = two_frames
    now = time.monotonic()
    paint(a, now - 15.0)  # a still scene: the next window 10 s later
    paint(b, now - 5.0)   # ... and none for 5 s since
    assert b.infer_ms * 3 < 1000 * 5.0  # (a fast model: its time per frame is no excuse)
    assert win.readouts_stale(now)
    win._update_readouts(now)
    assert win.readouts.text("latency") == "-"
    assert win.readouts.text("infer").startswith("- (")


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_slow_models_frame_stays_current_for_three_of_its_inferences(two_frames):
    win, paint, (a, b) = two_frames
    now = time.monotonic()
    slow = dataclasses.replace(b, infer_ms=1500.0)  # evfocus-full on a busy 2-core CPU
    paint(a, now - 4.5)
    paint(slow, now - READOUT_STALE_S - 1.0)  # 3 s ago: under 3 x 1.5 s
    assert not win.readouts_stale(now)
    assert win.readouts_stale(now + 2.0)  # 5 s: past 3 x 1.5 s
