"""In a DAVIS replay the display and recon fps read "0.0" for the first frames painted (the
rate is measured from the intervals between frames: one frame gives none, and the readouts
refresh every 0.25 s, so "0.0" stood beside 1-2 frames on show; measured here 0.3 s with the
tiny model, longer with a real one). Until there is an interval they say "-", as the inference
readout does before its first window; a stop is still 0."""

from __future__ import annotations

import time

import pytest
from gui_support import davis_window, wait_frames

from evfocus_live.core.stats import FrameRate


def test_no_interval_is_no_rate_and_a_stop_is_zero():
    r = FrameRate()
    assert r.measured(5.0) is None
    r.add(1, 5.0)
    assert r.measured(5.1) is None and r.rate(5.1) == 0.0  # (rate() as before: the callers that sum it)
    r.add(1, 5.2)
    assert r.measured(5.25) == pytest.approx(5.0)
    assert r.measured(9.0) == 0.0  # frames stopped: a measured 0


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_first_frame_of_a_davis_replay_is_not_under_0_fps(qtbot, tmp_path, tiny_model):
    win = davis_window(qtbot, tmp_path, tiny_model)
    wait_frames(qtbot, win, 1)
    win._update_readouts(time.monotonic())
    for key in ("display_fps", "pipeline_fps"):
        text = win.readouts.text(key)
        assert text == "-" or float(text) > 0, (key, text, win.frames_painted)
    wait_frames(qtbot, win, 3)
    win._update_readouts(time.monotonic())
    for key in ("display_fps", "pipeline_fps"):
        assert float(win.readouts.text(key)) > 0, key
    win.close()
