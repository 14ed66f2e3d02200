"""The headless rate line said ``recon=0.0 fps`` in a second that made a frame, when no rate
could be measured yet (one frame since the start or since a gap: ``FrameRate.rate`` is 0 there),
beside ``frames=3``; the viewer's readout says "-" in that case (``FrameRate.measured``), and so
does the rate line now."""

from __future__ import annotations

import pytest
from headless_support import headless_lines

from evfocus_live.core.stats import FrameRate

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_recon_is_a_dash_where_no_rate_is_measured(tmp_path, tiny_ckpt, caplog, monkeypatch):
    monkeypatch.setattr(FrameRate, "measured", lambda self, now=None: None)
    lines = headless_lines(tmp_path, tiny_ckpt, caplog, "t=", "--exit-after-s", "1.5", "--speed", "0.2")
    assert lines and all(" recon=- fps " in line for line in lines), lines  # (was "recon=0.0 fps")
