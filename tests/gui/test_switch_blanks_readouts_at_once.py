"""A source switch blanks the readouts at once: they kept the old source's values ("sensor
time 0.274 s", "frame #87", "display fps 30.2") beside the new source's empty panes until the
next 4 Hz readout update, up to 250 ms later (test_new_source_readouts_start_blank covers the
values that update gives)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.events import EVENT_DTYPE


def silent_camera():
    """A live camera whose reads bring no event: the new source never paints a frame."""
    from evfocus_plugin_pattern import PatternSource

    class Silent(PatternSource):
        format = "silent-cam"

        def read(self):
            time.sleep(0.002)
            return np.zeros(0, EVENT_DTYPE)
    return Silent(width=80, height=60)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_old_sources_readouts_are_gone_when_the_switch_returns(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 8)
    win._update_readouts(time.monotonic())
    ro = win.readouts
    assert ro.text("frame").startswith("#") and ro.text("read_ahead") != "-"
    assert win.open_source(silent_camera())  # (no event loop turn after it: what shows at once)
    left = {k: ro.text(k) for k in ro.values if k != "source" and ro.text(k) != "-"}
    assert left == {}
    assert ro.text("source").startswith("silent-cam")
    win.close()
