"""The viewer's seek slider on a recording whose camera clock went back (a RAW file's sensor
clock reset, an AEDAT4 camera's clock restarted): it spans the earliest to the latest time, both
clocks on one axis, so part of it lies between the clocks, where no event is. A position there
went to the file's start (the first place the file reaches that time), however near the other
clock it was; the AEDAT4 reader had no clocks at all. It now goes to the nearest clock: its last
whole window, or its start."""

from __future__ import annotations

import pytest
from gui_support import make_window, paused_on_a_frame
from reader_support import reset_clock_file

from evfocus_live.config import WindowConfig
from evfocus_live.writers import Aedat4Writer

TIMEOUT_MS = 30_000


def _restarted_aedat4(tmp_path):
    """An AEDAT4 file with the events of :func:`reset_clock_file`: 5.0-5.2 s, then 0.02-0.22 s."""
    _, first, second = reset_clock_file(tmp_path, 3)
    path = tmp_path / "restart.aedat4"
    with Aedat4Writer(path, 64, 48, max_packet_events=2000) as w:
        w.write(first)
        w.write(second)
    return path, first, second


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("make_file, reader_says", [(lambda p: reset_clock_file(p, 3), True), (_restarted_aedat4, False)],
                         ids=["raw", "aedat4"])
def test_a_slider_position_between_two_clocks_goes_to_the_nearest(qtbot, tmp_path, tiny_model, make_file, reader_says):
    path, first, second = make_file(tmp_path)  # 5.0-5.2 s, then 0.02-0.22 s
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
    if reader_says:  # (the RAW reader's first read decodes the whole small file, across the reset: said;
        # the AEDAT4 reader's, packets before the restart only, and the seeks go past it: said on crossing it)
        said = [m for m in win.status_log if "clock" in m]  # the reader's reset, not the slicer's restart too
        assert len(said) == 1 and "clock goes back" in said[0], win.status_log
    win.close()
