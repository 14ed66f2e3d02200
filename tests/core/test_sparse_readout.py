"""The defocus readout of a window with almost no events is undefined (None), not the model's
prior dressed as a measurement: a 200-byte EVT3 file (11-event windows) read "5.29 px"."""

from __future__ import annotations

import numpy as np

from evfocus_live.core.defocus import MIN_READOUT_EVENTS_PER_PX, defocus_readout_px


def test_a_window_under_the_density_has_no_readout():
    sigma, w = np.full((40, 48), 3.0, np.float32), np.ones((40, 48), np.float32)
    need = int(np.ceil(MIN_READOUT_EVENTS_PER_PX * sigma.size))
    assert defocus_readout_px(sigma, w, n_events=11) is None
    assert defocus_readout_px(sigma, w, n_events=need - 1) is None
    assert defocus_readout_px(sigma, w, n_events=need) == 3.0
    assert defocus_readout_px(sigma, w) == 3.0  # no count given (evfocus eval): as before
