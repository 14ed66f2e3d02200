"""The focus meter after a reading with no defocus output (a NaN/Inf readout from a map with a
non-finite pixel; a plugin model whose map comes and goes): the plot's values were emptied but
not their times, and the next reading raised "X and Y arrays must be the same shape--got (6,)
and (1,)" in the paint, at every frame until 300 more had been pushed."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.gui.widgets import DefocusIndicator

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("gap", [(float("nan"), True), (None, False)])
def test_a_reading_after_one_without_output_is_plotted(qtbot, gap):
    meter = DefocusIndicator()
    qtbot.addWidget(meter)
    for i in range(5):
        meter.push(2.0, t_us=i * 33_000, has_map=True)
    meter.push(gap[0], t_us=5 * 33_000, has_map=gap[1])
    meter.push(3.0, t_us=6 * 33_000, has_map=True)
    meter.push(3.5, t_us=7 * 33_000, has_map=True)
    x, y = meter.curve.getData()
    assert len(x) == len(y) == 2 and np.allclose(x, [-0.033, 0.0])
    assert meter.label.whole.startswith("defocus: 3.")
