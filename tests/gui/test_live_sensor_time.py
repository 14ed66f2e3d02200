"""A live camera's readout row shows the camera's clock ("sensor time"), a replay's the reader's
lead ("reader ahead"): renaming the row to "reader ahead" for replays took the clock away from a
camera's user, who has no time label and sees a clock that resets or runs wrong there."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import make_events
from gui_support import TIMEOUT_MS, make_window, slow_integration


def row_name(readouts) -> str:
    return readouts.layout().labelForField(readouts.values["read_ahead"]).text()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_live_camera_shows_its_sensor_time_and_a_replay_the_readers_lead(qtbot, tmp_path):
    win = make_window(qtbot, tmp_path, "sim", slow_integration(0.0))
    s = win.session
    assert s.source.is_live
    qtbot.waitUntil(lambda: win.frames_painted >= 2 and s.t_us is not None, timeout=TIMEOUT_MS)
    before_us = s.t_us
    win._update_readouts(0.0)
    after_us = s.t_us
    ro = win.readouts
    assert row_name(ro) == "sensor time"
    text = ro.text("read_ahead")
    assert re.fullmatch(r"\d+\.\d{3} s", text), text
    assert before_us / 1e6 - 0.0005 <= float(text[:-2]) <= after_us / 1e6 + 0.0005, (text, before_us, after_us)

    path = tmp_path / "events.npy"  # a replay in the same window: the lead again
    np.save(path, make_events(n=50_000, width=96, height=72, duration_us=2_000_000, seed=5))
    assert win.open_source(str(path))
    s = win.session
    qtbot.waitUntil(lambda: win.frames_painted >= 1 and s.last_frame is not None and s.t_us is not None,
                    timeout=TIMEOUT_MS)
    win._update_readouts(0.0)
    assert row_name(ro) == "reader ahead"
    assert re.fullmatch(r"-|\d+ ms( \(next pass\))?", ro.text("read_ahead")), ro.text("read_ahead")
    win.close()
