"""A looping replay of a RAW file whose sensor clock runs on past its last event (``end_us()``)
plays that pause at the end before its next pass (said on the status bar). The seek bar's range
ends at the last event, so the time label and the slider stood at the end for its seconds with
no word, as if the replay had hung. The time label says the end pause and how far it has played
("20.000 / 20.000 s (end pause 1.0 / 3.0 s)"), held while paused in it, gone with it. The
stand-in session is driven tick by tick: nothing is timed."""

from __future__ import annotations

import pytest
from gui_pause_support import replay, ticks, win  # noqa: F401 (win: a fixture)
from gui_support import in_the_end_pause, paused_looping_replay

from evfocus_live.pipeline import PlayedGap


def test_the_end_pause_is_said_on_the_time_label_as_it_plays(win):
    s = replay()  # (events from 1 s to 20 s; the file's clock on to 23 s)
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = PlayedGap(20_000_000, 23_000_000, 3.0, False, 1.0, at_end=True)
    now = ticks(win, s, 100.0, 1.0)
    assert win._end_pause_text() == " (end pause 1.0 / 3.0 s)"
    s.paused = True  # held while paused in it
    now = ticks(win, s, now, 2.0)
    assert win._end_pause_text() == " (end pause 1.0 / 3.0 s)"
    s.paused = False
    now = ticks(win, s, now, 5.0)
    assert win._end_pause_text() == " (end pause 3.0 / 3.0 s)"  # (not past its end)
    s.pipeline.played_gap = None  # the next pass
    win._show_gap(s, now + 0.25)
    assert win._end_pause_text() == ""


def test_a_pause_in_the_recording_is_not_an_end_pause(win):
    s = replay()
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = PlayedGap(2_200_000, 5_200_000, 3.0, False, 1.0)
    ticks(win, s, 100.0, 1.0)
    assert win._end_pause_text() == ""


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_time_label_at_the_end_pause(qtbot, tmp_path, tiny_model):
    """The label a readout tick writes, on a real replay paused in its end pause (the state that
    ``_show_gap`` leaves, set here: the shared recordings have no such pause)."""
    w, t0, t1 = paused_looping_replay(qtbot, tmp_path, tiny_model)
    in_the_end_pause(w, t1)
    w._update_readouts(1000.0)
    span = f"{(t1 - t0) / 1e6:.3f}"
    assert w.time_label.text() == f"{span} / {span} s (end pause 1.2 / 3.0 s)"
    w._gap = None
    w._update_readouts(1000.25)
    assert w.time_label.text() == f"{span} / {span} s"  # (the time the pause reached, at the range end)
    w.close()
