"""A speed chosen while the replay was paused said "speed: 2x" alone, over "paused", for 2 s, and
then nothing: the status bar no longer said that the replay does not play. The speed line says
the state it leaves the replay in (paused, at its end, in a played pause in the recording); a
pause in the recording that the replay reaches is said at once over a speed line. The session is
a stand-in: nothing is timed."""

from __future__ import annotations

import pytest
from gui_pause_support import set_speed, ticks, win  # noqa: F401 (win: a fixture)
from gui_pause_support import speed_replay as replay

from evfocus_live.pipeline import PlayedGap


@pytest.mark.parametrize("state, said", [
    (dict(paused=True), "speed: 2x (paused)"),
    (dict(pausing=True), "speed: 2x (paused)"),  # (a paused replay's one frame on its way)
    (dict(ended=True), "speed: 2x (at the end)"),
    ({}, "speed: 2x"),
])
def test_the_speed_line_says_a_pause(win, state, said):
    s = replay(**state)
    set_speed(win, s, 2.0)
    assert s.speeds == [2.0]
    assert win.statusBar().currentMessage() == said


def test_paused_at_max_speed(win):
    set_speed(win, replay(paused=True), 0.0)
    assert win.statusBar().currentMessage() == "speed: as fast as possible (paused)"


def test_in_a_played_pause_and_one_reached_over_the_speed_line(win):
    s = replay()
    win._show_gap(s, 100.0)
    set_speed(win, s, 0.5)
    s.pipeline.played_gap = PlayedGap(2_200_000, 5_200_000, 3.0, False, 0.5)
    ticks(win, s, 100.0, 0.25)  # (the pause reached: said at once, the speed line's 2 s or not)
    assert win.statusBar().currentMessage() == "a 3.0 s pause in the recording (no events until 4.2 s)"
    set_speed(win, s, 2.0)
    assert win.statusBar().currentMessage() == "speed: 2x (in a pause in the recording)"
