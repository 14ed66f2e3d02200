"""A speed chosen in a pause in the recording that the replay plays says "speed: 0.5x (in a pause
in the recording)" for its 2 s; once that line has gone the pause's own line (where events come
again) is said again, not an empty bar for the rest of the pause. The bar's 2 s timeout is
stood in for by clearing the message: nothing is timed."""

from __future__ import annotations

from gui_pause_support import set_speed, ticks, win  # noqa: F401 (win: a fixture)
from gui_pause_support import speed_replay as replay

from evfocus_live.pipeline import PlayedGap

PAUSE_LINE = "a 3.0 s pause in the recording (no events until 4.2 s)"


def test_the_pause_line_comes_back_after_the_speed_line(win):
    s = replay()
    win._show_gap(s, 100.0)
    s.pipeline.played_gap = PlayedGap(2_200_000, 5_200_000, 3.0, False, 1.0)
    now = ticks(win, s, 100.0, 0.5)
    assert win.statusBar().currentMessage() == PAUSE_LINE
    set_speed(win, s, 0.5)
    now = ticks(win, s, now, 1.0)  # (the speed line stands its 2 s: not said over at once)
    assert win.statusBar().currentMessage() == "speed: 0.5x (in a pause in the recording)"
    win.statusBar().clearMessage()  # (its 2 s are up)
    ticks(win, s, now, 0.25)
    assert win.statusBar().currentMessage() == PAUSE_LINE
