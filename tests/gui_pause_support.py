"""A stand-in for the viewer's session in a paced replay, driven tick by tick (nothing timed), for
the tests of what the status bar and the speed line say in a pause the replay plays."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from gui_support import make_window, pattern


def replay(gap=None, speed=1.0):
    """The session of a paced replay of 1-20 s, its pipeline playing ``gap`` (a PlayedGap or None)."""
    return SimpleNamespace(pipeline=SimpleNamespace(played_gap=gap), paused=False, pausing=False,
                           seek_target_us=None, speed=speed, time_range_us=(1_000_000, 20_000_000))


@pytest.fixture
def win(qtbot, tmp_path, tiny_model):
    w = make_window(qtbot, tmp_path, pattern(48, 32), tiny_model)
    w.session.stop()
    w.session = None  # (its ticks left alone: the stand-in is driven here)
    w.last_frame = SimpleNamespace(t_us=2_200_000)
    w.statusBar().clearMessage()
    yield w
    w.close()


def ticks(win, s, start: float, seconds: float, step: float = 0.25) -> float:
    """``win``'s pause line shown every ``step`` s of ``seconds`` from ``start``: the time reached."""
    now = start
    while now < start + seconds - 1e-9:
        now += step
        win._show_gap(s, now)
    return now


def speed_replay(**state):
    """The stand-in with a speed box: its choices noted in ``speeds``, ``state`` set on it."""
    s = replay()
    s.ended, s.speeds = False, []
    s.set_speed = s.speeds.append
    s.__dict__.update(state)
    return s


def set_speed(win, s, speed: float) -> None:
    """The speed box's choice, with ``s`` the window's session for it alone (the window's own
    ticks would read the rest of a real session from the stand-in)."""
    win.session = s
    try:
        win.set_speed(speed)
    finally:
        win.session = None
