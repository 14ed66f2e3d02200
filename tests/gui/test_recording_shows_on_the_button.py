"""While it records, the Record button is red with white text: pressed in, it was a shade
darker grey than when off (the "recording to ..." status line goes after 10 s), so a lab user
could not tell whether the run was being recorded."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import make_window, pattern, wait_frames

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def _mean_rgb(widget) -> np.ndarray:
    img = widget.grab().toImage()
    px = [img.pixelColor(x, y) for x in range(4, img.width() - 4, 3) for y in range(4, img.height() - 4, 3)]
    return np.mean([(c.red(), c.green(), c.blue()) for c in px], axis=0)


def test_the_record_button_is_red_while_recording(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    r, g, b = _mean_rgb(win.record_button)
    assert r - g < 30, (r, g, b)  # (off: the style's grey)
    assert win.start_recording()
    assert win.record_button.isChecked()
    r, g, b = _mean_rgb(win.record_button)
    assert r - g > 80 and r - b > 80, (r, g, b)
    win.stop_recording()
    r, g, b = _mean_rgb(win.record_button)
    assert r - g < 30, (r, g, b)
    win.close()
