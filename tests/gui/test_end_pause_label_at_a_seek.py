"""A seek from the pause at a RAW file's end (before a loop's next pass): the time label goes to
the time sought at once, but the end pause, held while the seek is on its way (the reader ends
the pause at its next look, and the tick may come first), was still said beside it: "10.000 /
20.000 s (end pause 1.2 / 3.0 s)". The state ``_show_gap`` leaves is set here, on a real replay
paused at its end (the shared recordings have no such pause)."""

from __future__ import annotations

import pytest
from gui_support import in_the_end_pause, paused_looping_replay

from evfocus_live.gui.window import _time_of_span


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_seek_from_the_end_pause_is_not_said_in_it(qtbot, tmp_path, tiny_model):
    w, t0, t1 = paused_looping_replay(qtbot, tmp_path, tiny_model)
    in_the_end_pause(w, t1)
    w.session._seek_base_us = t0 + (t1 - t0) // 2  # (a seek on its way: no frame from there yet)
    w._update_readouts(1000.0)
    assert w.time_label.text() == _time_of_span((t1 - t0) // 2, t1 - t0)
    w.session._seek_base_us = None
    w.close()
