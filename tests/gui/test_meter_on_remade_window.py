"""The defocus meter (label, bar, thick line) follows a window that is made again at the same time:
a paused replay's remake after a new ROI, window or filter, and a looped file shorter than its
window. Such a value got a smoothing weight of 0 (no sensor time had passed), so the meter froze
on the old setting's reading while the thin raw line moved on."""

from __future__ import annotations

import pytest
from gui_support import FRAME_TIMEOUT_MS, davis_window, set_roi

from evfocus_live.config import WindowConfig


@pytest.mark.gui
def test_a_reading_at_the_same_time_replaces_the_last(qtbot):
    from evfocus_live.gui.widgets import DefocusIndicator

    ind = DefocusIndicator()
    qtbot.addWidget(ind)
    ind.push(4.0, 1_000_000)
    ind.push(2.0, 1_000_000)  # the same window, made again with another setting
    assert ind.smoothed[-1] == 2.0
    assert ind.label.text() == "defocus: 2.00 px blur \u03c3"
    for _ in range(5):  # a looped file shorter than its window: every pass ends at the same time
        ind.push(1.0, 1_000_000)
    assert ind.smoothed[-1] == 1.0


@pytest.mark.gui
def test_the_meter_shows_the_remade_frames_reading_after_an_roi_change(qtbot, tmp_path, tiny_model):
    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.0, loop=False,
                       window=WindowConfig(mode="duration", window_ms=10.0))
    qtbot.waitUntil(lambda: win.session.ended and win.last_frame is not None, timeout=FRAME_TIMEOUT_MS)
    qtbot.wait(300)
    ind, fv, n = win.defocus_indicator, win.last_frame, win.frames_painted
    set_roi(win, "100,60,160,120")
    qtbot.waitUntil(lambda: win.frames_painted > n and win.last_frame.image.shape == (120, 160),
                    timeout=FRAME_TIMEOUT_MS)
    assert win.last_frame.t_us == fv.t_us  # (the same window, made again)
    assert ind.values[-1] != ind.smoothed[-2]  # (a new reading: else this test shows nothing)
    assert ind.smoothed[-1] == ind.values[-1]
    assert f"{ind.values[-1]:.2f} px" in ind.label.text()  # (a shorter form where the meter is narrow)
    assert ind.label.toolTip() == f"defocus: {ind.values[-1]:.2f} px blur \u03c3"
    win.close()
