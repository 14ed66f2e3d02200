"""A snapshot (s) while the panes are blacked out (b or .) saved the frame and, beside it, the
window as the screen showed it: black panes and readouts, no record of what the frame PNG
came from. The window PNG is the window under the cover; the cover stays on screen."""

from __future__ import annotations

import pytest
from gui_support import _blacked_out
from PySide6 import QtGui


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_snapshot_while_blacked_out_saves_the_window_under_the_cover(qtbot, tmp_path, tiny_model):
    win = _blacked_out(qtbot, tmp_path, tiny_model)
    path = win.snapshot()
    assert path is not None and win.blanked and win.blank_cover.isVisible()  # (still black on screen)
    whole = QtGui.QImage(str(path.with_name(path.stem + "_window.png")))
    box = win.readouts.parentWidget()  # (the readouts' box: text on the window's colour, never black)
    at = box.mapTo(win, box.rect().center())
    dpr = whole.width() / win.width()
    pixels = [whole.pixelColor(int((at.x() + dx) * dpr), int((at.y() + dy) * dpr))
              for dx in range(-20, 21, 10) for dy in range(-20, 21, 10)]
    assert max(max(c.red(), c.green(), c.blue()) for c in pixels) > 0
    win.close()
