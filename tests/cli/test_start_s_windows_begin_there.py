"""``evfocus reconstruct --start-s A --window-ms W`` cut its windows from the first event at or
after A, not from A: on the DAVIS346 recording each frame came 1 µs after t0 + A + k W, and where
A falls in a quiet stretch of a recording the windows were shifted by the whole quiet time (a
figure's frames at 0.110 s, 0.120 s, ... came at 0.147 s, 0.157 s, ...). They begin at A now, as
the viewer's windows begin at a seek's time."""

from __future__ import annotations

import numpy as np
from conftest import DAVIS_FILE, REAL_FILES, make_events

from evfocus_live.cli import main
from evfocus_live.events import concat
from evfocus_live.sources import open_file
from evfocus_live.writers.aedat4 import Aedat4Writer


def _stamps(out) -> np.ndarray:
    return np.loadtxt(out / "timestamps.txt", dtype=np.int64, ndmin=2)[:, 1]


def test_the_davis_recordings_windows_begin_at_start_s(tmp_path):
    t0 = REAL_FILES["davis346"]["t_first_us"]
    out = tmp_path / "out"
    assert main(["reconstruct", str(DAVIS_FILE), "-o", str(out), "--window-ms", "10", "--start-s", "0.02",
                 "--end-s", "0.06", "--no-progress"]) == 0
    t = _stamps(out)
    assert list(t[:3]) == [t0 + 30_000, t0 + 40_000, t0 + 50_000], t - t0


def test_a_start_in_a_quiet_stretch_keeps_the_windows_there(tmp_path):
    """Events over 0-100 ms and 137-300 ms: --start-s 0.11 gives frames at 120, 130, 140 ms, ..."""
    ev = make_events(20_000, t0_us=0, duration_us=300_000, seed=2)
    ev = ev[(ev["t"] < 100_000) | (ev["t"] >= 137_000)]
    ev = concat([make_events(1, duration_us=1, seed=1), ev])  # (the recording starts at t = 0)
    ev["t"][0] = 0
    path = tmp_path / "quiet.aedat4"
    with Aedat4Writer(path, 346, 260) as w:
        w.write(ev)
    with open_file(path) as src:
        assert src.time_range_us()[0] == 0
    out = tmp_path / "out"
    assert main(["reconstruct", str(path), "-o", str(out), "--window-ms", "10", "--start-s", "0.11",
                 "--no-progress"]) == 0
    t = _stamps(out)
    assert list(t[:5]) == [120_000, 130_000, 140_000, 150_000, 160_000], t  # (120, 130: empty windows)
