"""A speed chosen in a pause in the recording that the replay plays is said with it ("speed: 2x
(in a pause in the recording)"): the rest of the pause plays at it. "max" ends the pause at once
(no pace: its events come now), yet the line said "speed: as fast as possible (in a pause in the
recording)" for 2 s. And the pause at a RAW file's end, before a loop's next pass, was called a
pause in the recording. The session is a stand-in: nothing is timed."""

from __future__ import annotations

from gui_pause_support import set_speed, ticks, win  # noqa: F401 (win: a fixture)
from gui_pause_support import speed_replay as replay

from evfocus_live.pipeline import PlayedGap


def in_a_pause(win, gap: PlayedGap):
    s = replay()
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = gap
    ticks(win, s, 100.0, 0.5)
    return s


def test_max_in_a_played_pause_does_not_name_it(win):
    s = in_a_pause(win, PlayedGap(2_200_000, 5_200_000, 3.0, False, 1.0))
    set_speed(win, s, 0.0)
    assert win.statusBar().currentMessage() == "speed: as fast as possible"


def test_the_end_pause_is_named_as_the_end_pause(win):
    s = in_a_pause(win, PlayedGap(20_000_000, 23_000_000, 3.0, False, 1.0, at_end=True))
    set_speed(win, s, 2.0)
    assert win.statusBar().currentMessage() == "speed: 2x (in the pause at the end of the recording)"
    set_speed(win, s, 0.0)
    assert win.statusBar().currentMessage() == "speed: as fast as possible"
