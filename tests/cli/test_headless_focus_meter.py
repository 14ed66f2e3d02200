"""A headless run (a server over SSH, or no display) logged rates each second but not the focus
meter the viewer shows as its defocus bar and plot, so a lens could not be focused without a
window; the rate line has ``defocus=`` now (the mean readout of that second's frames, px)."""

from __future__ import annotations

import re
from types import SimpleNamespace

from headless_support import headless_lines

from evfocus_live.gui import app


def test_rate_line_has_the_defocus_readout(tmp_path, tiny_ckpt, caplog):
    lines = headless_lines(tmp_path, tiny_ckpt, caplog, "t=", "--window-events", "2000", "--exit-after", "2.5",
                           n=60_000, duration_us=5_000_000)
    assert lines and all(re.search(r" defocus=(-|\d+\.\d\d px) ", ln) for ln in lines), lines
    assert any(re.search(r" defocus=\d+\.\d\d px ", ln) for ln in lines), lines


def test_meter_means_each_new_frame_once():
    meter = app._DefocusMeter()
    a, b, none = (SimpleNamespace(defocus_mean_px=v) for v in (2.0, 4.0, None))
    for view in (None, a, a, b, none):
        meter.see(view)
    assert meter.take() == "3.00 px"
    assert meter.take() == "-"  # nothing new since
