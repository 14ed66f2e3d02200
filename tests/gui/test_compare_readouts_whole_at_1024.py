"""With a compare pane the top row holds three panes; the readouts below kept one column of
three, the cell beside them empty: at 1024x768 their values were cut ("pattern 346x26", the
inference line's backend and threads gone). They take the row's free cell too."""

from __future__ import annotations

import pytest
from gui_support import TIMEOUT_MS, make_window, pattern, wait_frames

from evfocus_live.config import ModelConfig


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_readouts_are_whole_beside_a_compare_pane_at_1024x768(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(346, 260), tiny_model,
                      model=ModelConfig(name="evfocus", device="cpu", compare="e2vid"))
    win.resize(1024, 768)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.compare is not None, timeout=TIMEOUT_MS)
    wait_frames(qtbot, win, 1)
    box = win.readouts.parentWidget()
    assert box.width() >= box.minimumSizeHint().width() and box.width() >= win.readouts.sizeHint().width(), (
        box.width(), win.readouts.sizeHint().width())
    assert box.geometry().right() >= win.compare_pane.geometry().right() - 2  # (under the compare pane too)
    win.set_compare("none")  # (none: the readouts under the reconstruction, as before)
    qtbot.wait(50)
    assert abs(box.geometry().right() - win.frame_pane.geometry().right()) <= 2
    win.close()
