"""The focus meter's time axis after a jump forward of the sensor clock (a replay's seek 60 s
on, a camera clock's jump): the plot spanned the jump, 68 s, until the 300 readings before it
had gone, and the new readings' last 2 s were drawn in 8 px of its 274 (a wrong camera clock
hours ahead: under one pixel). A step back (a loop, a seek back) already added no time."""

from __future__ import annotations

import pytest

from evfocus_live.gui.widgets import MAX_STEP_S, DefocusIndicator

pytestmark = pytest.mark.gui


def _span_s(meter: DefocusIndicator) -> float:
    x0, x1 = meter.plot.getPlotItem().getViewBox().viewRange()[0]
    return x1 - x0


@pytest.mark.parametrize("jump_s", [60.0, 3 * 3600.0])
def test_a_jump_forward_does_not_stretch_the_plot(qtbot, jump_s):
    meter = DefocusIndicator()
    qtbot.addWidget(meter)
    meter.resize(300, 230)
    meter.show()
    t_us = 0
    for _ in range(200):  # 6.6 s of readings, 33 ms apart
        t_us += 33_000
        meter.push(2.0, t_us=t_us)
    t_us += int(jump_s * 1e6)
    for _ in range(60):  # 2 s after the jump
        t_us += 33_000
        meter.push(4.0, t_us=t_us)
    assert _span_s(meter) <= 6.6 + 2 + MAX_STEP_S + 0.1  # (the jump: at most MAX_STEP_S)
    x, _ = meter.curve.getData()
    assert x[-61] < x[-60] and x[-1] - x[-60] == pytest.approx(59 * 0.033)  # (the readings' own steps kept)


def test_a_slow_models_readings_keep_their_true_spacing(qtbot):
    """Readings seconds apart (a model that takes seconds a window, its skipped windows) are
    real time, not a jump: kept."""
    meter = DefocusIndicator()
    qtbot.addWidget(meter)
    for t_s in (0.0, 3.0, 6.5, 10.0):
        meter.push(2.0, t_us=int(t_s * 1e6))
    x, _ = meter.curve.getData()
    assert list(x) == pytest.approx([-10.0, -7.0, -3.5, 0.0])
