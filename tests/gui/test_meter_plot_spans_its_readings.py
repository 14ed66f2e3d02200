"""The focus meter's time axis spanned 5 s at least: a CPU model making 3 frames a second of a
0.13 s recording looping (every real recording README points to is that short) put its
readings in the plot's last 0.2 s, at the right edge, for minutes, where the reading index it
had before spread them over the plot. The plot spans its readings now, labelled in fractions of
a second where that is the span, the labels still apart."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.gui.widgets import DefocusIndicator

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("width_px", [95, 300])
def test_a_few_readings_fill_the_plot_with_labels_apart(qtbot, width_px):
    meter = DefocusIndicator()
    qtbot.addWidget(meter)
    meter.resize(width_px, 230)
    meter.show()
    qtbot.waitExposed(meter)
    for i in range(7):  # (a slow model's first 2 s of a short recording: 7 windows of 33 ms)
        meter.push(2.0 + 0.1 * i, t_us=i * 33_000)
    qtbot.wait(20)
    view = meter.plot.getPlotItem().getViewBox()
    lo, hi = view.viewRange()[0]
    assert hi == 0.0 and -0.25 < lo <= -0.198, (lo, hi)  # (was -5.0: the readings in the last 4 %)
    axis = meter.plot.getPlotItem().getAxis("bottom")
    levels = axis.tickValues(lo, hi, view.width())
    values = sorted({v for _, vals in levels for v in vals})
    assert [v for v in values if lo < v < hi], levels  # a label inside the span
    px_per_s = view.width() / (hi - lo)
    assert min(np.diff(values)) * px_per_s >= 30, levels  # (fractions' labels: "-0.1")
