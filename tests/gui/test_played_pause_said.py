"""A pause in the recording that a paced replay plays (up to ``MAX_GAP_S``) read on the status
bar only as "no new frame ... (a still scene?)" after 2 s, the time label stood still, and
nothing said that a long pause was shortened. Now the status bar says the pause while it plays,
the time label moves through it, and both clear when events come again, at a seek into it, and
hold over a pause and play. The session is a stand-in driven tick by tick: nothing is timed."""

from __future__ import annotations

import pytest
from gui_pause_support import replay, ticks, win  # noqa: F401 (win: a fixture)

from evfocus_live.pipeline import MAX_GAP_S, PlayedGap
from evfocus_live.gui.window import QUIET_PREFIX


def test_a_played_pause_is_said_its_time_goes_on_and_it_clears(win):
    s = replay()
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = PlayedGap(2_200_000, 5_200_000, 3.0, False, 1.0)
    now = ticks(win, s, 100.0, 1.0)
    assert win.statusBar().currentMessage() == "a 3.0 s pause in the recording (no events until 4.2 s)"
    assert win._time_shown_us(s, 0) == pytest.approx(3_200_000, abs=10)
    now = ticks(win, s, now, 5.0)
    assert win._time_shown_us(s, 0) == 5_200_000  # (not past the pause's end)
    s.pipeline.played_gap = None  # events again
    win._show_gap(s, now + 0.02)
    assert win.statusBar().currentMessage() == ""
    assert win._time_shown_us(s, 0) == 5_200_000  # (not back to the frame on show before it)
    # (until the next frame is painted: _paint lets go of it)


def test_a_long_pause_is_said_shortened_and_its_time_runs_to_its_end(win):
    s = replay()
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = PlayedGap(2_200_000, 62_200_000, MAX_GAP_S, True, 1.0)
    ticks(win, s, 100.0, 2.5)
    assert win.statusBar().currentMessage() == ("a 60.0 s pause in the recording (no events until 61.2 s): "
                                                "shortened to 5 s (a pause plays for at most 5 s)")
    assert win._time_shown_us(s, 0) == pytest.approx(32_200_000, abs=10)  # (half way in half its 5 s)


def test_the_still_scene_line_gives_way_and_does_not_count_in_it(win):
    s = replay()
    win.status(f"{QUIET_PREFIX}2 s: 0 ev/s arrive (a still scene?)", "warning", timeout_ms=0)
    win._quiet_said = True
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = PlayedGap(2_200_000, 5_200_000, 3.0, False, 1.0)
    ticks(win, s, 100.0, 0.5)
    assert win.statusBar().currentMessage().startswith("a 3.0 s pause")


def test_a_pause_and_play_in_it_holds_its_time_and_says_it_again(win):
    s = replay()
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = gap = PlayedGap(2_200_000, 5_200_000, 3.0, False, 1.0)
    now = ticks(win, s, 100.0, 1.0)
    s.paused = True
    win.status("paused", timeout_ms=2000)
    now = ticks(win, s, now, 3.0)
    assert win._time_shown_us(s, 0) == pytest.approx(3_200_000, abs=10)  # held while paused
    s.paused = False
    win.statusBar().clearMessage()  # ("playing" gone after its 2 s)
    assert s.pipeline.played_gap is gap
    ticks(win, s, now, 0.5)
    assert win.statusBar().currentMessage().startswith("a 3.0 s pause")
    assert win._time_shown_us(s, 0) == pytest.approx(3_700_000, abs=10)


def test_a_seek_into_it_leaves_no_stale_line(win):
    s = replay()
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = PlayedGap(2_200_000, 5_200_000, 3.0, False, 1.0)
    now = ticks(win, s, 100.0, 1.0)
    s.seek_target_us = 4_000_000  # (a seek into the pause: its rest is a new played pause, from there)
    win._show_gap(s, now + 0.02)
    assert win._time_shown_us(s, 0) == 4_000_000
    s.pipeline.played_gap = None
    win._show_gap(s, now + 0.04)
    assert not win.statusBar().currentMessage().startswith("a 3.0 s pause")


def test_an_arrow_key_in_it_steps_from_the_time_shown(win):
    s = replay()
    sought = []
    s.is_live, s.seek = False, sought.append
    s.seek_relative = lambda dt: sought.append(("from the frame", dt))
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = PlayedGap(2_200_000, 62_200_000, MAX_GAP_S, True, 1.0)
    ticks(win, s, 100.0, 2.5)
    win.session = s
    try:
        win.seek_relative(-1_000_000)
    finally:
        win.session = None
    assert sought == [pytest.approx(31_200_000, abs=10)]  # (not 1 s before the frame at 2.2 s)
