"""The viewer's status bar says when a live camera's clock restarts (a DAVIS resets its timestamps
when a sync cable is plugged or the device is reset): the slicer started its windows over and
said so in the log only, so the user saw the sensor time jump back with no word why. Said once
per restart, not once per batch."""

from __future__ import annotations

import pytest
from conftest import make_events
from gui_support import ScriptedCamera, make_window

from evfocus_live.config import WindowConfig

FRAME_TIMEOUT_MS = 30_000


def restarting_clock(k):
    """2 ms of events per read from 10 s; the clock restarts at 0 after 50 reads."""
    t0_us = (10_000_000 if k < 50 else -100_000) + k * 2000
    return make_events(300, 64, 48, t0_us=t0_us, duration_us=2000, seed=k)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_live_cameras_clock_restart_reaches_the_status_bar_once(qtbot, tmp_path, tiny_model):
    cam = ScriptedCamera(restarting_clock)
    win = make_window(qtbot, tmp_path, cam, tiny_model, window=WindowConfig(mode="duration", window_ms=10.0))

    def said():
        return [m for m in win.status_log if "clock restart" in m]

    qtbot.waitUntil(lambda: len(said()) == 1, timeout=FRAME_TIMEOUT_MS)  # (before: never)
    n, k = win.frames_painted, cam.reads
    qtbot.waitUntil(lambda: win.frames_painted > n + 3 and cam.reads > k + 50, timeout=FRAME_TIMEOUT_MS)
    assert len(said()) == 1 and "jumped back by 10.1 s" in said()[0], win.status_log
    win.close()
