"""A source switch: until the new source's first frame is painted, the readouts must not show
numbers that belong to nothing. "display fps" kept the last source's rate (10.1 beside blank
panes) and "inference" said "0.0 ms" before any window had gone through the model."""

from __future__ import annotations

import time

import numpy as np
import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.events import EVENT_DTYPE


def still_camera():
    """A camera that sees nothing: its reads return no event, so no window is ever made."""
    from evfocus_plugin_pattern import PatternSource

    class Still(PatternSource):
        format = "still-cam"

        def read(self):
            time.sleep(0.002)
            return np.zeros(0, EVENT_DTYPE)
    return Still(width=80, height=60)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_readouts_of_a_new_source_start_blank(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 8)
    win._update_readouts(time.monotonic())
    assert float(win.readouts.values["display_fps"].text()) > 0
    assert win.open_source(still_camera())
    qtbot.wait(500)
    assert win.last_frame is None and win.session.pipeline.stats.frames == 0
    win._update_readouts(time.monotonic())
    assert win.readouts.values["display_fps"].text() == "-"  # (no frame: no rate measured yet, as inference says)
    assert win.readouts.values["infer"].text().split()[0] == "-"  # (and the device it will run on)
    win.close()
