"""Help > About's device line counts threads in English ("1 threads" before)."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.gui.window import about_text


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_about_says_one_thread(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win)
    device = next(line for line in about_text(win.session).splitlines() if line.startswith("device"))
    assert "1 thread)" in device, device
    win.close()
