"""The viewer's status bar says when a live camera's clock restarts (a DAVIS resets its timestamps
when a sync cable is plugged or the device is reset): the slicer started its windows over and
said so in the log only, so the user saw the sensor time jump back with no word why. Said once
per restart, not once per batch."""

from __future__ import annotations

import time

import pytest
from conftest import make_events

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.sources.base import EventSource

FRAME_TIMEOUT_MS = 30_000


class RestartingCamera(EventSource):
    """A live 64x48 camera: 2 ms of events per read from 10 s; its clock restarts at 0 after 50 reads."""

    format = "restartingclock"
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
        t0_us = (10_000_000 if self._k < 50 else -100_000) + self._k * 2000
        b = make_events(300, self.width, self.height, t0_us=t0_us, duration_us=2000, seed=self._k)
        self._k += 1
        return b

    def close(self):
        self._closed = True


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_live_cameras_clock_restart_reaches_the_status_bar_once(qtbot, tmp_path, tiny_model):
    from evfocus_live.gui.window import MainWindow, ViewerOptions

    cam = RestartingCamera()
    opts = ViewerOptions(source=cam, model_obj=tiny_model, post=PostConfig(steps=()),
                         window=WindowConfig(mode="duration", window_ms=10.0),
                         record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap")
    win = MainWindow(opts)
    qtbot.addWidget(win)
    win.show()

    def said():
        return [m for m in win.status_log if "clock restart" in m]

    qtbot.waitUntil(lambda: len(said()) == 1, timeout=FRAME_TIMEOUT_MS)  # (before: never)
    n, k = win.frames_painted, cam._k
    qtbot.waitUntil(lambda: win.frames_painted > n + 3 and cam._k > k + 50, timeout=FRAME_TIMEOUT_MS)
    assert len(said()) == 1 and "jumped back by 10.1 s" in said()[0], win.status_log
    win.close()
