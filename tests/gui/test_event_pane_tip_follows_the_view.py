"""The event pane's tooltip names the colours of the view on show: it said "blue where a pixel
got brighter, red where it got darker" in the accumulate + decay view too, which paints ON
white and OFF black on grey."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import make_window

from evfocus_live.core.render import EventAccumulator
from evfocus_live.events import EVENT_DTYPE


def test_the_decay_view_paints_on_events_white():
    acc = EventAccumulator(4, 4, decay_ms=0)
    ev = np.zeros(1, EVENT_DTYPE)
    ev["x"], ev["y"], ev["p"], ev["t"] = 1, 1, 1, 10
    acc.update(ev)
    img = acc.render()
    on, bg = img[1, 1], img[0, 0]
    assert on.min() > bg.max() and on[0] == on[1] == on[2]  # white-ish, no blue


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_event_pane_tip_names_the_views_colours(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    combo = win.event_mode_combo
    assert "blue" in win.event_pane.toolTip()
    combo.setCurrentIndex(combo.findData("decay"))
    tip = win.event_pane.toolTip()
    assert "white" in tip and "black" in tip and "blue" not in tip and "ROI" in tip
    combo.setCurrentIndex(combo.findData("time_surface"))
    assert "blue" in win.event_pane.toolTip()
    win.close()
