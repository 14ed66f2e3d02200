"""The viewer's Reset state (r) with a post-processor plugin whose ``reset()`` raises: the
exception left the Qt slot as a traceback on stderr and the status bar said nothing; now it is
one error line there, and the viewer runs on."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from gui_support import make_window, pattern, wait_frames
from plugin_support import _with_extra

from evfocus_live.plugins import POSTPROCESSORS

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class LaterResetRaises:
    stage = "frame"
    fail = False

    def __call__(self, frame, t_us=0):
        return frame

    def reset(self):
        if LaterResetRaises.fail:
            raise RuntimeError("lab filter lost its calibration")


@pytest.mark.gui
def test_reset_with_a_plugin_whose_reset_raises_is_one_line(qtbot, tmp_path, tiny_model, monkeypatch):
    _with_extra(monkeypatch, [EntryPoint("laterbad", "test_reset_with_a_failing_plugin:LaterResetRaises",
                                         POSTPROCESSORS)])
    monkeypatch.setattr(LaterResetRaises, "fail", False)
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, post=("laterbad",))
    wait_frames(qtbot, win)
    LaterResetRaises.fail = True
    win.reset_state()  # (raised out of the slot)
    # (said at once, or, when a frame was on its way to the step, by the worker before the next one)
    qtbot.waitUntil(lambda: any("'laterbad': reset() failed: RuntimeError: lab filter" in m for m in win.status_log),
                    timeout=10_000)
    LaterResetRaises.fail = False
    wait_frames(qtbot, win)
    win.close()
