"""Play at the end of a short recording plays it again; its second end said nothing when that
pass began and ended between two readout ticks (a warm model on the 0.13 s DAVIS clip): the
status bar kept "playing". The window took an end for said until a tick saw the replay running."""

from __future__ import annotations

import time

import pytest
from conftest import REAL_FILES
from gui_support import make_window

TIMEOUT_MS = 30_000
END = "end of the recording: space or Play plays it again"


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_second_end_is_said_even_between_two_ticks(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, str(REAL_FILES["davis346"]["path"]), tiny_model, speed=0.0, loop=False,
                      window_events=20_000)
    s = win.session
    qtbot.waitUntil(lambda: win.status_log.count(END) == 1, timeout=TIMEOUT_MS)
    n = s.frames_done
    win.toggle_pause()  # (space, Play)
    deadline = time.monotonic() + 30
    while not (s.ended and s.frames_done > n) and time.monotonic() < deadline:
        time.sleep(0.01)  # no Qt events meanwhile: no readout tick sees the replay running
    assert s.ended and s.frames_done > n
    qtbot.waitUntil(lambda: win.status_log.count(END) == 2, timeout=5_000)  # (before: never said again)
    win.close()
