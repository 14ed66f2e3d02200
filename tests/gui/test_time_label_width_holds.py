"""The time label grew with "(end pause 1.2 / 3.0 s)" (its minimum width is for "12.345 / 60.000
s"), so the seek slider beside it narrowed as the pause at a RAW file's end began and widened as
the next pass started: the bar and its handle jumped at every loop pass. The label keeps the
widest time text it has shown for the recording. The end pause's state is set, as
``_show_gap`` leaves it (the shared recordings have no such pause)."""

from __future__ import annotations

import pytest
from gui_support import in_the_end_pause, paused_looping_replay
from PySide6 import QtWidgets


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_slider_does_not_jump_at_the_end_pause(qtbot, tmp_path, tiny_model):
    w, _, t1 = paused_looping_replay(qtbot, tmp_path, tiny_model)

    def slider_px(end_pause: bool) -> int:
        w._gap = w._gap_t_us = None
        if end_pause:
            in_the_end_pause(w, t1)
        w._update_readouts(1000.0)
        QtWidgets.QApplication.processEvents()
        w.seek_slider.parentWidget().layout().activate()
        return w.seek_slider.width()

    in_pause = slider_px(True)
    assert "(end pause 1.2 / 3.0 s)" in w.time_label.text()
    after = slider_px(False)  # the next pass
    again = slider_px(True)
    assert after == in_pause == again, (in_pause, after, again)
    w.close()
