"""The focus meter's plot had no time axis: its x was the reading's index, neither labelled nor
in a unit. It is now seconds of sensor time before the newest reading, labelled "time (s)",
with labels far enough apart in the 95 px column of a 1024x640 window."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.gui.widgets import DefocusIndicator

pytestmark = pytest.mark.gui


def _meter(qtbot, width_px: int) -> DefocusIndicator:
    meter = DefocusIndicator()
    qtbot.addWidget(meter)
    meter.resize(width_px, 230)
    meter.show()
    qtbot.waitExposed(meter)
    return meter


def test_x_is_seconds_before_the_newest_reading(qtbot):
    meter = _meter(qtbot, 300)
    for t_us in (0, 100_000, 250_000):
        meter.push(2.0, t_us=t_us)
    x, _ = meter.curve.getData()
    assert np.allclose(x, [-0.25, -0.15, 0.0])
    assert np.allclose(meter.raw_curve.getData()[0], x)
    meter.push(2.0, t_us=0)  # a replay looped: no step back in the plot's time
    x, _ = meter.curve.getData()
    assert np.all(np.diff(x) >= 0) and x[-1] == 0.0
    axis = meter.plot.getPlotItem().getAxis("bottom")
    assert axis.isVisible() and "(s)" in axis.labelString()


@pytest.mark.parametrize("width_px", [95, 300])
def test_time_labels_do_not_run_together(qtbot, width_px):
    meter = _meter(qtbot, width_px)
    for i in range(300):
        meter.push(2.0, t_us=i * 33_000)
    qtbot.wait(20)
    view = meter.plot.getPlotItem().getViewBox()
    lo, hi = view.viewRange()[0]
    assert lo <= -9.8 and hi == 0.0  # (the readings' 10 s)
    axis = meter.plot.getPlotItem().getAxis("bottom")
    levels = axis.tickValues(lo, hi, view.width())
    shown = [v for _, vals in levels for v in vals if lo < v < hi]
    assert shown, levels  # at least one inside
    px_per_s = view.width() / (hi - lo)
    assert min(np.diff(sorted({v for _, vals in levels for v in vals}))) * px_per_s >= 25, levels


def test_a_short_plot_keeps_its_room_for_the_curve(qtbot):
    """(Stacked under the readouts at 1024x768 the plot is ~70 px: the axis left the curve ~30.)"""
    meter = _meter(qtbot, 300)
    meter.push(2.0, t_us=0)
    axis = meter.plot.getPlotItem().getAxis("bottom")
    assert axis.isVisible()
    meter.resize(300, 110)
    qtbot.waitUntil(lambda: not axis.isVisible(), timeout=2000)
    meter.resize(300, 260)  # (taller again: the axis back)
    qtbot.waitUntil(axis.isVisible, timeout=2000)
