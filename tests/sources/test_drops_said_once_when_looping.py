"""Events outside the sensor in a replay that loops: the AEDAT4, ``.npy``, HDF5 and text readers
said "dropped N more event(s)" at the end of every pass (the same events read again), a line per
loop in the log and, since the viewer shows the readers' warnings, in its status bar. Said at
the stream's first end only now, as the RAW reader does."""

from __future__ import annotations

import logging

from conftest import make_events

from evfocus_live.sources import open_file
from evfocus_live.sources.npy_file import DropCounter
from evfocus_live.writers.aedat4 import Aedat4Writer


def _said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "outside the 64x48 sensor" in r.getMessage()]


def test_an_aedat4_replay_says_its_drops_once(tmp_path, caplog):
    ev = make_events(20_000, 64, 48, duration_us=200_000)
    ev["x"][::100] = 70  # outside the 64 px wide sensor
    path = tmp_path / "drops.aedat4"
    with Aedat4Writer(path, 64, 48, check_bounds=False) as w:
        for k in range(0, len(ev), 2000):  # (packets: the first one's drops said, the rest summed)
            w.write(ev[k:k + 2000])
    with caplog.at_level(logging.WARNING), open_file(path) as src:
        for _ in range(3):  # three passes of a looping replay
            assert sum(len(b) for b in src) == len(ev) - 200
            src.seek(0)
        assert src.stats["dropped"] == 600  # (still counted)
    said = _said(caplog)
    assert len(said) == 2 and "more" in said[1], said  # (before: a "more" line at each pass's end)


def test_the_drop_counter_sums_at_the_first_end_only(caplog):
    drops = DropCounter("x.npy", 64, 48)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            drops.add(5)
            drops.add(3)
            drops.flush()
    assert _said(caplog) == ["x.npy: dropped 5 event(s) outside the 64x48 sensor (later ones are summed at the end)",
                             "x.npy: dropped 3 more event(s) outside the 64x48 sensor"]
    assert drops.total == 24
