"""``Recorder`` used from Python left events outside its sensor out of the file without a
word: said once a recording, with the count, and counted in ``outside_events``."""

from __future__ import annotations

import logging

import numpy as np

from evfocus_live.events import from_arrays
from evfocus_live.gui.recording import Recorder


def _batch(t0: int, xs) -> np.ndarray:
    n = len(xs)
    return from_arrays(t0 + np.arange(n), np.asarray(xs), np.zeros(n, int), np.ones(n, int))


def test_events_outside_the_recorders_sensor_are_said_once_with_their_count(tmp_path, caplog):
    rec = Recorder()
    rec.start(events_path=tmp_path / "run.aedat4", width=32, height=24)
    with caplog.at_level(logging.WARNING, logger="evfocus_live.gui.recording"):
        rec.write_events(_batch(0, [1, 2, 40, 50, 3]))
        rec.write_events(_batch(100, [60, 4]))
    rec.stop()
    said = [r.getMessage() for r in caplog.records if "outside" in r.getMessage()]
    assert len(said) == 1 and "2 event(s)" in said[0] and "32x24" in said[0], said
    assert rec.outside_events == 3 and rec.n_events == 4
