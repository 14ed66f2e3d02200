"""The rule that eight clock restarts in a row, each within a few events of the last, are broken
time order (shuffled rows), met two other features:

- a replay's loop seeks back to the start every pass. The count of close restarts went on over
  the seeks, with the events of the pass before counted as "since the last restart": a short file
  with one real clock restart (a few hundred events each side) looped eight times was taken for a
  shuffled file, and from then on its second clock's events joined the first clock's last window
  (the frames of each pass halved, and "the time order is broken" was logged);
- a new window setting (``Pipeline.set_window``) makes a new slicer. On a shuffled file it did not
  know the order was broken: it took the next seven steps back for clock restarts again (seven
  one-window flushes, each a "clock restart?" line for the viewer's status bar) and logged the
  rule's warning a second time.
"""

from __future__ import annotations

import logging

import numpy as np
from conftest import make_events

from evfocus_live.core.slicing import CountSlicer, DurationSlicer
from evfocus_live.events import concat


def _one_pass(s, ev) -> list:
    """A loop's pass: a seek to the file's start (as the pipeline's), the file, its tail."""
    s.reset(int(ev["t"][0]))
    return s.push(ev) + s.flush()


def test_a_short_looped_file_with_one_clock_restart_stays_a_restart(caplog):
    ev = concat([make_events(300, 64, 48, t0_us=5_000_000, duration_us=200_000, seed=1),
                 make_events(300, 64, 48, t0_us=20_000, duration_us=200_000, seed=2)])
    s = DurationSlicer(20)
    restarts = []
    s.on_restart = lambda text, t_us: restarts.append(t_us)
    with caplog.at_level(logging.WARNING):
        passes = [_one_pass(s, ev) for _ in range(12)]
    assert "time order is broken" not in caplog.text
    first = [(w.t_start_us, w.t_us, w.n_events) for w in passes[0]]
    assert len(first) == 20  # each clock's 200 ms in 20 ms windows
    for windows in passes[1:]:  # (before: from the 8th pass on, 10 windows, the second clock in one)
        assert [(w.t_start_us, w.t_us, w.n_events) for w in windows] == first
    assert len(restarts) == 12


def _shuffled(n=20_000, seed=3):
    ev = make_events(n, 64, 48, duration_us=2_000_000, seed=seed)
    np.random.default_rng(4).shuffle(ev)
    return ev


def test_a_new_slicer_on_a_shuffled_stream_keeps_the_broken_order(caplog):
    ev = _shuffled()
    for make in (lambda: DurationSlicer(33), lambda: DurationSlicer(20), lambda: CountSlicer(500)):
        old = DurationSlicer(33)
        old.on_restart = lambda text, t_us: None
        old.push(ev[:10_000])  # the rule has found the order broken
        new = make()
        restarts = []
        new.on_restart = lambda text, t_us: restarts.append(t_us)
        new.carry_late(old)  # what Pipeline.set_window does
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            windows = new.push(ev[10_000:]) + new.flush()
        assert restarts == [], type(new).__name__  # (before: 7 "clock restart?" lines)
        assert "time order is broken" not in caplog.text
        assert sum(w.n_events for w in windows) == 10_000
