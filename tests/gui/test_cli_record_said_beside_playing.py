"""``--record``/``--video`` in the window said "recording to <paths>" after "playing <file>"
(the recording started on the event loop's first turn). Started before the first read now, its
line came first and "playing ..." replaced it at once: the paths typed were on the status bar
for no time. The "playing" line names them, as it names a recording saved by a switch."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def test_the_line_after_start_names_the_recording(qtbot, tmp_path, tiny_model):
    rec, vid = tmp_path / "cli.aedat4", tmp_path / "cli.mp4"
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, record_at_start=(str(rec), str(vid), "pattern"))
    assert win.session.recorder.active
    playing = next(t for t in reversed(win.status_log) if t.startswith(("playing", "live:")))
    assert str(rec) in playing and str(vid) in playing, win.status_log
    wait_frames(qtbot, win)
    win.close()


def test_a_refused_start_names_none(qtbot, tmp_path, tiny_model):
    rec = tmp_path / "lab.aedat4"
    win = make_window(qtbot, tmp_path, "sim", tiny_model, record_at_start=(str(rec), None, "davis346"))
    assert not win.session.recorder.active
    assert not any(str(rec) in t for t in win.status_log if t.startswith(("playing", "live:"))), win.status_log
    win.close()
