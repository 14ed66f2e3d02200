"""A replay shows one time, the frame on show's; the reader's lead over it is said as a lead."""

from __future__ import annotations

import re

import pytest
from conftest import REAL_FILES
from gui_support import TIMEOUT_MS, make_window, slow_integration

from evfocus_live.gui.window import _read_ahead


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_paused_replay_shows_one_time_and_the_readers_lead(qtbot, tmp_path):
    """Paused on the 130 ms DAVIS file, the "sensor time" readout said 0.130 s (the reader)
    and the time label 0.104 s (the frame on show): two times for one replay."""
    win = make_window(qtbot, tmp_path, str(REAL_FILES["davis346"]["path"]), slow_integration(0.15), speed=0.0,
                      loop=False, window_events=5_000)
    s = win.session
    qtbot.waitUntil(lambda: win.frames_painted >= 1 and s.range_ready.is_set(), timeout=TIMEOUT_MS)
    win.toggle_pause()
    qtbot.waitUntil(lambda: s.slot.take() is None and not s.pipeline.ring.fill, timeout=TIMEOUT_MS)
    win._update_readouts(0.0)
    t0 = s.time_range_us[0]
    shown = win.last_frame.t_us
    assert shown < s.t_us - 5_000, (shown, s.t_us)  # the reader is ahead of the model
    assert win.time_label.text().startswith(f"{(shown - t0) / 1e6:.3f} / ")
    times = [lab.text() for lab in win.readouts.values.values() if re.search(r"\d\.\d{3} s", lab.text())]
    assert times == [], times  # no second clock
    assert win.readouts.text("read_ahead") == f"{(s.t_us - shown) / 1e3:.0f} ms"
    win.close()


def test_the_lead_of_a_reader_in_the_next_loop_pass_counts_round_the_loop():
    r = (1_000_000, 1_130_000)
    assert _read_ahead(1_120_000, 1_100_000, r, False) == "20 ms"
    assert _read_ahead(1_010_000, 1_120_000, r, False) == "20 ms (next pass)"
    assert _read_ahead(1_120_000, 1_100_000, r, True) == "-"  # a seek on its way
    assert _read_ahead(None, 1_100_000, r, False) == _read_ahead(5, None, None, False) == "-"
    assert _read_ahead(7_000, 2_000, None, False) == "5 ms"  # a live camera: no range
