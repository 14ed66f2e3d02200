"""The time label of a recording shorter than 0.1 s: milliseconds, not seconds to the ms."""

from __future__ import annotations

import re

import pytest
from conftest import REAL_FILES
from gui_support import TIMEOUT_MS, make_window


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("name, window_events, label", [
    ("evt3", 50_000, r"\d\.\d\d / 8\.80 ms"),  # (it read "0.009 / 0.009 s")
    ("davis346", 20_000, r"0\.\d{3} / 0\.130 s"),  # (130 ms: seconds, as before)
])
def test_a_recording_under_100_ms_is_timed_in_ms(qtbot, tmp_path, tiny_model, name, window_events, label):
    """The 8.8 ms EVK3 street file read "0.009 / 0.009 s" and a 0.3 ms cut of it "0.000 / 0.000 s",
    which says an empty recording."""
    win = make_window(qtbot, tmp_path, str(REAL_FILES[name]["path"]), tiny_model, speed=0.0, loop=False,
                      window_events=window_events)
    s = win.session
    qtbot.waitUntil(lambda: win.frames_painted >= 1 and s.range_ready.is_set(), timeout=TIMEOUT_MS)
    win._update_readouts(0.0)
    assert re.fullmatch(label + r"( \(end\))?", win.time_label.text()), win.time_label.text()
