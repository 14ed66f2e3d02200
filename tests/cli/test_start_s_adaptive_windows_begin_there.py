"""``reconstruct --start-s A --adaptive-ms W`` still cut its windows from the first event at or
after A once ``--window-ms`` windows began at A: on the DAVIS346 recording its frames came at
t0 + A + kW + 1 µs beside --window-ms's t0 + A + kW. An adaptive window holds W of time as a
duration window does (while its event count allows), so it begins at A too; where A falls in a
pause a window or more long, it begins at the next event, as after any pause (no empty frames)."""

from __future__ import annotations

import numpy as np
from conftest import DAVIS_FILE, REAL_FILES, make_events

from evfocus_live.cli import main
from evfocus_live.events import concat
from evfocus_live.writers.aedat4 import Aedat4Writer


def _stamps(out) -> np.ndarray:
    return np.loadtxt(out / "timestamps.txt", dtype=np.int64, ndmin=2)[:, 1]


def _run(path, out, *opts) -> np.ndarray:
    assert main(["reconstruct", str(path), "-o", str(out), "--no-progress", *opts]) == 0
    return _stamps(out)


def test_adaptive_windows_on_the_davis_recording_fall_where_duration_windows_do(tmp_path):
    t0 = REAL_FILES["davis346"]["t_first_us"]
    span = ["--start-s", "0.02", "--end-s", "0.06"]
    adaptive = _run(DAVIS_FILE, tmp_path / "a", "--adaptive-ms", "10", *span)
    duration = _run(DAVIS_FILE, tmp_path / "d", "--window-ms", "10", *span)
    assert list(adaptive[:3] - t0) == [30_000, 40_000, 50_000], adaptive - t0
    assert list(adaptive[:3]) == list(duration[:3])


def test_a_start_in_a_pause_begins_at_the_next_event_without_empty_frames(tmp_path):
    """Events over 0-100 ms and 137-300 ms: --start-s 0.11 gives its first frame 10 ms after 137 ms."""
    ev = make_events(300_000, t0_us=0, duration_us=300_000, seed=2)  # (dense: windows close on time)
    ev = ev[(ev["t"] < 100_000) | (ev["t"] >= 137_000)]
    ev = concat([make_events(1, duration_us=1, seed=1), ev])
    ev["t"][0] = 0
    path = tmp_path / "pause.aedat4"
    with Aedat4Writer(path, 346, 260) as w:
        w.write(ev)
    t = _run(path, tmp_path / "out", "--adaptive-ms", "10", "--start-s", "0.11")
    first = int(ev["t"][ev["t"] >= 110_000][0])
    assert t[0] == first + 10_000, t[:3]
