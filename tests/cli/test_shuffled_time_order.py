"""Events whose rows are shuffled (or grouped by pixel) step back by over 1 s every few events.

Each such step was taken for a clock restart: the slicer flushed a window and recursed once per
restart, so ``evfocus reconstruct`` on a shuffled ``.npy``/``.txt`` ended in a RecursionError
traceback (or, made a loop, in a frame per few events: 200 k events, 11 k frames in 10 min).
"""

from __future__ import annotations

import logging

import numpy as np

from conftest import make_events
from evfocus_live.cli import main


def test_reconstruct_of_shuffled_events_ends_with_a_warning_not_a_traceback(tmp_path, tiny_ckpt, caplog, capsys):
    ev = make_events(20_000, 64, 48, duration_us=2_000_000, seed=3)
    np.random.default_rng(4).shuffle(ev)
    np.save(tmp_path / "shuffled.npy", ev)
    out = tmp_path / "out"
    with caplog.at_level(logging.WARNING):
        rc = main(["reconstruct", str(tmp_path / "shuffled.npy"), "-o", str(out), "--model", str(tiny_ckpt),
                   "--device", "cpu", "--window-ms", "33", "--no-progress"])
    assert rc == 0
    assert "time order is broken" in caplog.text and "sort the events by time" in caplog.text
    n = len((out / "timestamps.txt").read_text().splitlines())
    # about a frame per 33 ms of the 2 s and a gap's empty windows per restart before the rule, not
    # frames for each of the ~6000 steps back
    assert 0 < n < 1000
    assert "frames" in capsys.readouterr().out


def test_a_clock_that_really_restarts_still_starts_the_windows_over(caplog):
    """Ten clocks of 2000 events each (a camera re-opened nine times): nine restarts, every one
    taken, as the rule for broken order only counts restarts that come every few events."""
    from evfocus_live.core.slicing import DurationSlicer

    s = DurationSlicer(10)
    windows = []
    with caplog.at_level(logging.WARNING):
        for k in range(10):
            windows += s.push(make_events(2000, 64, 48, t0_us=(10 - k) * 5_000_000, duration_us=100_000, seed=k))
        windows += s.flush()
    assert "clock restart" in caplog.text and "time order is broken" not in caplog.text
    assert len(windows) == 10 * 10  # each clock's 100 ms in 10 ms windows, none mixed with another's
    assert sum(w.n_events for w in windows) == 20_000
