"""The time label grew with "(end pause 1.2 / 3.0 s)" (its minimum width is for "12.345 / 60.000
s"), so the seek slider beside it narrowed as the pause at a RAW file's end began and widened as
the next pass started: the bar and its handle jumped at every loop pass. The label keeps the
widest time text it has shown for the recording. The end pause's state is set, as
``_show_gap`` leaves it (the shared recordings have no such pause)."""

from __future__ import annotations

import pytest
from conftest import REAL_FILES
from gui_support import make_window, wait_frames, wait_idle
from PySide6 import QtWidgets

from evfocus_live.pipeline import PlayedGap


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_slider_does_not_jump_at_the_end_pause(qtbot, tmp_path, tiny_model):
    f = REAL_FILES["davis346"]
    w = make_window(qtbot, tmp_path, str(f["path"]), tiny_model, loop=True, window_events=20_000)
    wait_frames(qtbot, w, 1)
    w.session.pause()
    wait_idle(qtbot, w.session)
    qtbot.waitUntil(lambda: w.session.time_range_us is not None, timeout=10_000)
    t1 = w.session.time_range_us[1]

    def slider_px(gap) -> int:
        w._gap, w._gap_t_us = gap, None if gap is None else t1 + 1_200_000.0
        w._update_readouts(1000.0)
        QtWidgets.QApplication.processEvents()
        w.seek_slider.parentWidget().layout().activate()
        return w.seek_slider.width()

    before = slider_px(None)
    in_pause = slider_px(PlayedGap(t1, t1 + 3_000_000, 3.0, False, 1.0, at_end=True))
    assert "(end pause 1.2 / 3.0 s)" in w.time_label.text()
    after = slider_px(None)  # the next pass
    again = slider_px(PlayedGap(t1, t1 + 3_000_000, 3.0, False, 1.0, at_end=True))
    assert after == in_pause == again, (before, in_pause, after, again)
    w.close()
