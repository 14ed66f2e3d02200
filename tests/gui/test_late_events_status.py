"""The viewer's status bar says late events of a live source (a camera whose clock sends events
into the past): the warning was logged only at the end of a stream, which a camera never reaches,
and never reached the status bar."""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.sources.base import EventSource

FRAME_TIMEOUT_MS = 30_000


class BrokenClockCamera(EventSource):
    """A live 64x48 camera: 2 ms of events per read, every 10th of them 50 ms in the past."""

    format = "brokenclock"
    sensor = "test"
    width, height = 64, 48
    is_live = True

    def __init__(self):
        self._k = 0
        self._closed = False

    def read(self):
        if self._closed:
            return None
        time.sleep(0.002)
        b = make_events(500, self.width, self.height, t0_us=100_000 + self._k * 2000, duration_us=2000,
                        seed=self._k)
        b["t"][::10] -= 50_000
        self._k += 1
        return b

    def close(self):
        self._closed = True


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_late_events_of_a_live_source_reach_the_status_bar(qtbot, tmp_path, tiny_model):
    from evfocus_live.gui.window import MainWindow, ViewerOptions

    opts = ViewerOptions(source=BrokenClockCamera(), model_obj=tiny_model, post=PostConfig(steps=()),
                         window=WindowConfig(mode="duration", window_ms=10.0),
                         record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap")
    win = MainWindow(opts)
    qtbot.addWidget(win)
    win.show()

    def said():
        return [m for m in win.status_log if "time order is broken" in m]

    qtbot.waitUntil(lambda: len(said()) == 1, timeout=FRAME_TIMEOUT_MS)
    n = win.frames_painted
    qtbot.waitUntil(lambda: win.frames_painted > n + 3, timeout=FRAME_TIMEOUT_MS)  # it streams on
    assert len(said()) == 1 and "so far" in said()[0], win.status_log
    win.close()
