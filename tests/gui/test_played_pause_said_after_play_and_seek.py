"""Two ways the viewer's line for a played pause in the recording went wrong: after a pause and
play in it, the line came back only once "playing" had faded (2 s), and a seek into it skipped
its rest (the pipeline: ``tests/pipeline/test_seek_into_a_played_pause.py``); its rest, from the
time sought, is said now as what is left of it, and the time label moves through it though no
frame from there has come yet. A looping replay's pause at the end of a file (a RAW file's clock
runs on past its last event) is said as that. The session is a stand-in driven tick by tick."""

from __future__ import annotations

import pytest
from gui_pause_support import replay, ticks
from gui_support import make_window, pattern

from evfocus_live.pipeline import PlayedGap


@pytest.fixture
def win(qtbot, tmp_path, tiny_model):
    w = make_window(qtbot, tmp_path, pattern(48, 32), tiny_model)
    w.session.stop()
    w.session = None  # (its ticks left alone: the stand-in is driven here)
    w.statusBar().clearMessage()
    yield w
    w.close()


def paused_in_a_pause(win):
    """The replay (and the next tick's time) paused 1 s into a played 3 s pause, for 1 s."""
    s = replay()
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = PlayedGap(2_200_000, 5_200_000, 3.0, False, 1.0)
    now = ticks(win, s, 100.0, 1.0)
    s.paused = True
    win.status("paused", timeout_ms=2000)
    return s, ticks(win, s, now, 1.0)


def test_play_in_it_says_it_again_at_once(win):
    s, now = paused_in_a_pause(win)
    s.paused = False
    win.status("playing", timeout_ms=2000)  # (as toggle_pause says it)
    ticks(win, s, now, 0.25)
    assert win.statusBar().currentMessage() == "a 3.0 s pause in the recording (no events until 4.2 s)"


def test_a_warning_on_the_bar_is_not_hidden_by_it_on_play(win):
    s, now = paused_in_a_pause(win)
    win.status("snapshot failed: disk full", "warning", timeout_ms=0)
    s.paused = False
    ticks(win, s, now, 0.25)
    assert win.statusBar().currentMessage() == "snapshot failed: disk full"


def test_the_rest_of_a_pause_after_a_seek_into_it_is_said_from_there(win):
    s = replay()
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = PlayedGap(2_200_000, 5_200_000, 3.0, False, 1.0)
    now = ticks(win, s, 100.0, 0.5)
    s.seek_target_us = 4_000_000
    s.pipeline.played_gap = None  # (the wait for the pause's end ends at the seek)
    win._show_gap(s, now + 0.02)
    # the seek is done, but no frame from there has come: the session still says where it went
    s.pipeline.played_gap = PlayedGap(4_000_000, 5_200_000, 1.2, False, 1.0, sought=True)
    ticks(win, s, now + 0.02, 0.5)
    assert win.statusBar().currentMessage() == "1.2 s left of a pause in the recording (no events until 4.2 s)"
    assert win._time_shown_us(s, 0) == pytest.approx(4_500_000, abs=10)


def test_the_pause_at_the_end_of_a_looping_replay_is_said_so(win):
    s = replay()  # (events from 1 s to 20 s; a RAW file's clock on to 23 s)
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = PlayedGap(20_000_000, 23_000_000, 3.0, False, 1.0, at_end=True)
    ticks(win, s, 100.0, 0.5)
    assert win.statusBar().currentMessage() == ("a 3.0 s pause at the end of the recording "
                                                "(then it plays again from the start)")
