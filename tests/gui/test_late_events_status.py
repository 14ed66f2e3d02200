"""The viewer's status bar says late events of a live source (a camera whose clock sends events
into the past): the warning was logged only at the end of a stream, which a camera never reaches,
and never reached the status bar."""

from __future__ import annotations

import pytest
from conftest import make_events
from gui_support import ScriptedCamera, make_window

from evfocus_live.config import WindowConfig

FRAME_TIMEOUT_MS = 30_000


def broken_clock(k):
    """2 ms of events per read, every 10th of them 50 ms in the past."""
    b = make_events(500, 64, 48, t0_us=100_000 + k * 2000, duration_us=2000, seed=k)
    b["t"][::10] -= 50_000
    return b


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_late_events_of_a_live_source_reach_the_status_bar(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, ScriptedCamera(broken_clock), tiny_model,
                      window=WindowConfig(mode="duration", window_ms=10.0))

    def said():
        return [m for m in win.status_log if "time order is broken" in m]

    qtbot.waitUntil(lambda: len(said()) == 1, timeout=FRAME_TIMEOUT_MS)
    n = win.frames_painted
    qtbot.waitUntil(lambda: win.frames_painted > n + 3, timeout=FRAME_TIMEOUT_MS)  # it streams on
    assert len(said()) == 1 and "so far" in said()[0], win.status_log
    win.close()
