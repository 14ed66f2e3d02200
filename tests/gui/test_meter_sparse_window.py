"""A near-empty window's frame has no defocus readout: the viewer's meter says "-" and its
plot skips the point (it showed the map's plain mean, the model's prior, as a reading), and a
headless rate line's ``defocus=`` means only the windows that have one."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.gui import app
from evfocus_live.gui.session import frame_view
from evfocus_live.pipeline import FrameResult


def _result(defocus_px, n_events):
    return FrameResult(index=0, t_start_us=0, t_us=10_000, n_events=n_events, image=np.zeros((40, 48), np.uint8),
                       sigma=np.full((40, 48), 5.29, np.float32), defocus_px=defocus_px)


def test_frame_view_keeps_an_undefined_readout_undefined():
    assert frame_view(_result(None, 11), 0.0).defocus_mean_px is None
    assert frame_view(_result(2.5, 700), 0.0).defocus_mean_px == 2.5


def test_headless_meter_means_the_defined_readouts_only():
    meter = app._DefocusMeter()
    for fr in (_result(2.0, 700), _result(None, 11)):
        meter.see(frame_view(fr, 0.0))
    assert meter.take() == "2.00 px"
    meter.see(frame_view(_result(None, 11), 0.0))
    assert meter.take() == "-"


@pytest.mark.gui
def test_the_meter_label_says_dash_and_the_plot_skips_the_point(qtbot):
    from evfocus_live.gui.widgets import DefocusIndicator

    ind = DefocusIndicator()
    qtbot.addWidget(ind)
    ind.push(2.0, 1_000_000, has_map=True)
    assert ind.label.text() == "defocus: 2.00 px blur \u03c3"
    ind.push(None, 1_010_000, has_map=True)  # a near-empty window
    assert ind.label.text() == "defocus: -"
    assert ind.values == [2.0] and ind.smoothed == [2.0]
    ind.push(None, 1_020_000)  # no defocus map at all: said as before
    assert ind.label.text() == "defocus: n/a (model has no defocus output)"
