"""A camera that goes still (the simulated camera's "still" scene, a DAVIS on a tripod facing a
wall) makes no new frame: an event-count window waits for its 31,486 events, 16 s at a still
sensor's noise. The panes froze on the last frame, "display fps 0.0", and nothing said why."""

from __future__ import annotations

import time

import numpy as np
import pytest
from gui_support import TIMEOUT_MS, make_window, wait_frames

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.gui.window import QUIET_PREFIX


def stilling_camera():
    """The pattern camera, with a switch that stops its events (``still = True``)."""
    from evfocus_plugin_pattern import PatternSource

    class Cam(PatternSource):
        format = "stilling-cam"
        still = False

        def read(self):
            if self.still:
                time.sleep(0.002)
                return np.zeros(0, EVENT_DTYPE)
            return super().read()
    return Cam(width=64, height=48)


def quiet_lines(win):
    return [m for m in win.status_log if m.startswith(QUIET_PREFIX)]


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_camera_gone_still_is_said_and_unsaid(qtbot, tmp_path, tiny_model):
    cam = stilling_camera()
    win = make_window(qtbot, tmp_path, cam, tiny_model)
    wait_frames(qtbot, win, 3)
    win.toggle_pause()  # paused: no frame is expected, nothing to say
    cam.still = True
    qtbot.wait(3500)
    assert not quiet_lines(win)
    win.toggle_pause()
    qtbot.waitUntil(lambda: bool(quiet_lines(win)), timeout=TIMEOUT_MS)
    said = quiet_lines(win)[0]
    assert said.endswith("arrive; a window needs 1,500 events (a still scene?)"), said
    assert win.statusBar().currentMessage().startswith(QUIET_PREFIX)
    qtbot.wait(1500)  # (said once: its seconds count on the status bar)
    assert len(quiet_lines(win)) == 1
    cam.still = False
    wait_frames(qtbot, win, 2)
    assert not win.statusBar().currentMessage().startswith(QUIET_PREFIX)
    win.close()


class SlowFirstWindow:
    """The tiny model, 3.5 s on its first window (a trace, a cold cache on a loaded machine)."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0
        self.config = getattr(inner, "config", None)

    def reset_states(self):
        self.inner.reset_states()

    def __call__(self, voxel):
        self.calls += 1
        if self.calls == 1:
            time.sleep(3.5)
        return self.inner(voxel)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_busy_model_is_not_taken_for_a_still_scene(qtbot, tmp_path, tiny_model):
    """Events enough for many windows, but the model's first window is slow: nothing is still."""
    from gui_support import pattern

    win = make_window(qtbot, tmp_path, pattern(), SlowFirstWindow(tiny_model))
    wait_frames(qtbot, win, 1)
    assert not quiet_lines(win)
    win.close()
