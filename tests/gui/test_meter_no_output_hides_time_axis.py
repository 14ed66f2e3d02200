"""A model with no defocus output (``--model e2vid``): the meter's plot says "no defocus output"
with its scale hidden, but the time axis added beside it (a branch of its own) stayed, "-4 -2
time (s)" under an empty plot (seen at 1024x640 on a DAVIS replay). Both axes go while the note
is up and come back with the first reading."""

from __future__ import annotations

import pytest

from evfocus_live.gui.widgets import DefocusIndicator

pytestmark = pytest.mark.gui


def _axes_shown(meter: DefocusIndicator) -> tuple[bool, bool]:
    item = meter.plot.getPlotItem()
    return item.getAxis("left").isVisible(), item.getAxis("bottom").isVisible()


def test_no_output_hides_the_time_axis_too(qtbot):
    meter = DefocusIndicator()
    qtbot.addWidget(meter)
    meter.resize(300, 230)
    meter.show()
    qtbot.waitExposed(meter)
    assert _axes_shown(meter) == (True, True)
    meter.push(None)  # (the model has no defocus output)
    qtbot.wait(20)
    assert meter.plot_note.isVisible()
    assert _axes_shown(meter) == (False, False)
    meter.resize(310, 240)  # a resize re-judges the time axis: it stays hidden with the note
    qtbot.wait(20)
    assert _axes_shown(meter) == (False, False)
    meter.push(2.0, t_us=0)  # a model with one again
    qtbot.wait(20)
    assert not meter.plot_note.isVisible() and _axes_shown(meter) == (True, True)


def test_readings_after_no_output_plot_again(qtbot):
    """The note emptied the readings but not their times (added by the time axis's branch): the
    next reading's plot was 3 times against 1 value, pyqtgraph's "X and Y arrays must be the same
    shape" raised in every paint after a switch back to a model with a map (and the viewer's
    test_a_map_again_brings_the_scale_back failed on the merged tree)."""
    meter = DefocusIndicator()
    qtbot.addWidget(meter)
    for t_us in (0, 100_000):
        meter.push(2.0, t_us=t_us)
    meter.push(None)
    meter.push(3.0, t_us=200_000)
    meter.push(3.0, t_us=300_000)
    x, y = meter.curve.getData()
    assert len(x) == len(y) == 2 and x[-1] == 0.0
    assert len(meter.raw_curve.getData()[0]) == 2
