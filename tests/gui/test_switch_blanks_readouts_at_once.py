"""A source switch blanks the readouts at once: they kept the old source's values ("sensor
time 0.274 s", "frame #87", "display fps 30.2") beside the new source's empty panes until the
next 4 Hz readout update, up to 250 ms later (test_new_source_readouts_start_blank covers the
values that update gives)."""

from __future__ import annotations

import time

import pytest
from gui_support import make_window, pattern, wait_frames


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_old_sources_readouts_are_gone_when_the_switch_returns(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 8)
    win._update_readouts(time.monotonic())
    ro = win.readouts
    assert ro.text("frame").startswith("#") and ro.text("read_ahead") != "-"
    # (no event loop turn after it: what shows at once, before the new source's first tick)
    assert win.open_source(pattern(80, 60, fmt="second-cam"))
    left = {k: ro.text(k) for k in ro.values if k != "source" and ro.text(k) != "-"}
    assert left == {}
    assert ro.text("source").startswith("second-cam")
    win.close()
