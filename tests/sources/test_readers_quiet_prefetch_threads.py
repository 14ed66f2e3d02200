"""``readers_quiet`` covers the threads a reader hands the quiet read's work to (AEDAT4's and
HDF5's prefetch pool), not other threads: it held back the calling thread's warnings only, so
eval's grid APS read and reconstruct's input checks still printed what a pool thread said."""

from __future__ import annotations

import logging
import threading

import h5py
from conftest import make_events

from evfocus_live.sources import hdf5_file, open_file
from evfocus_live.sources.aedat4_file import Prefetcher
from evfocus_live.sources.base import readers_quiet

READER = logging.getLogger("evfocus_live.sources.some_reader")


def _said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def _decode(k: int) -> str:
    """A packet's decode on a pool thread: one warning, and the thread it ran on."""
    READER.warning("packet %d's warning", k)
    if k == 1:
        READER.error("packet 1's error")
    return threading.current_thread().name


def test_a_quiet_read_is_quiet_on_its_prefetch_threads_and_nowhere_else(caplog):
    quiet_pool = Prefetcher(_decode, 3, workers=2, name="quiet-read")
    other_pool = Prefetcher(lambda k: READER.warning("other reader's packet %d", k), 2, name="other-read")
    try:
        with caplog.at_level(logging.WARNING):
            with readers_quiet():
                ran_on = [quiet_pool.get() for _ in range(3)]
                # another thread meanwhile (a live pipeline's reader), and a pool it feeds
                t = threading.Thread(target=lambda: [other_pool.get() for _ in range(2)], name="pipeline")
                t.start()
                t.join(60)
                READER.warning("this thread's warning")
            READER.warning("after")
    finally:
        quiet_pool.close()
        other_pool.close()
    assert all(name.startswith("quiet-read") for name in ran_on), ran_on  # (decoded on the pool)
    said = _said(caplog)
    assert not [m for m in said if m.startswith("packet") and "warning" in m], said
    assert "packet 1's error" in said  # (errors are said)
    assert "this thread's warning" not in said and "after" in said
    assert [m for m in said if m.startswith("other reader")] == ["other reader's packet 0",
                                                                 "other reader's packet 1"]


def _narrow_h5(tmp_path):
    """An HDF5 recording whose header is one pixel too narrow: its batches (packed on the
    prefetch threads) drop events and say so."""
    ev = make_events(4000, seed=5)
    ev["x"] %= 345
    ev["x"][::100] = 345
    p = tmp_path / "narrow.h5"
    with h5py.File(p, "w") as f:
        for k in "txyp":
            f.create_dataset(f"events/{k}", data=ev[k])
        f.attrs["width"], f.attrs["height"] = 345, 260
    return p


def test_an_hdf5_read_inside_readers_quiet_says_no_drop(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 1000)
    p = _narrow_h5(tmp_path)
    with caplog.at_level(logging.WARNING):
        with readers_quiet(), open_file(p) as src:
            n_quiet = sum(len(b) for b in src)
        assert not [m for m in _said(caplog) if "outside the" in m], _said(caplog)
        with open_file(p) as src:  # (the same read outside: said, from the same threads)
            n = sum(len(b) for b in src)
    assert n == n_quiet == 3960
    assert [m for m in _said(caplog) if "outside the" in m]
