"""The viewer's seek slider on an AEDAT4 recording whose camera clock restarted: as on a RAW file
with a reset clock (``test_slider_between_clocks``), the slider spans the earliest to the latest
time, both clocks on one axis. The AEDAT4 reader had no clocks, so a position between them went to
the file's start, however near the other clock it was. It now goes to the nearest clock, as on RAW:
its last whole window, or its start."""

from __future__ import annotations

import pytest
from conftest import make_events
from gui_support import make_window, paused_on_a_frame

from evfocus_live.config import WindowConfig
from evfocus_live.writers import Aedat4Writer

TIMEOUT_MS = 30_000


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_slider_position_between_two_aedat4_clocks_goes_to_the_nearest(qtbot, tmp_path, tiny_model):
    first = make_events(20_000, 64, 48, t0_us=5_000_000, duration_us=200_000, seed=1)
    second = make_events(20_000, 64, 48, t0_us=20_000, duration_us=200_000, seed=2)  # the clock restarted
    path = tmp_path / "restart.aedat4"
    with Aedat4Writer(path, 64, 48, max_packet_events=2000) as w:
        w.write(first)
        w.write(second)
    win = make_window(qtbot, tmp_path, str(path), tiny_model, window=WindowConfig(mode="duration", window_ms=20.0),
                      speed=0.25, loop=True)
    s = win.session
    qtbot.waitUntil(lambda: s.time_range_us is not None, timeout=TIMEOUT_MS)
    paused_on_a_frame(qtbot, win)
    r = s.time_range_us
    end_2nd, start_1st = int(second["t"][-1]), int(first["t"][0])

    def slide_to(t_us):
        n = win.frames_painted
        win.seek_slider.setValue(round(1000 * (t_us - r[0]) / (r[1] - r[0])))
        win._slider_released()
        qtbot.waitUntil(lambda: win.frames_painted > n and s.seek_target_us is None, timeout=TIMEOUT_MS)
        return win.last_frame

    fv = slide_to(1_000_000)  # between the clocks, nearer the second's end
    assert end_2nd - 20_000 < fv.t_us <= end_2nd + 1, fv.t_us  # (before: 5.0 s, the file's start)
    assert fv.n_events > 1000
    qtbot.waitUntil(lambda: win.seek_slider.value() < 60, timeout=5000)  # the slider follows it there
    fv = slide_to(4_000_000)  # nearer the first clock's start
    assert start_1st < fv.t_us <= start_1st + 20_000, fv.t_us
    win.close()
