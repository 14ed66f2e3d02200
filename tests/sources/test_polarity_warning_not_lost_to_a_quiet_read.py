"""The odd-polarity warning is said once per file, but a read inside ``readers_quiet()`` (the
checks ``reconstruct`` makes before its run: ``--start`` with several inputs reads each one's
time range; eval's APS read) held the warning back and still counted it as said, so the run's
own read never said it: ``reconstruct a.txt b.txt --start 0.001`` with p = 2 in a.txt read every
event as ON in silence. A held-back warning is not counted as said."""

from __future__ import annotations

import logging

from evfocus_live.sources import open_file
from evfocus_live.sources.base import readers_quiet


def _p2_text(tmp_path, rows=200):
    path = tmp_path / "p2.txt"
    path.write_text("64 48\n" + "".join(f"{10 * i} {i % 64} {i % 48} {2 * (i % 2)}\n" for i in range(rows)))
    return path


def _said(caplog):
    return [r for r in caplog.records if "polarity holds" in r.getMessage()]


def _read_all(path, **kw):
    with open_file(path, **kw) as src:
        while src.read() is not None:
            pass


def test_warning_held_back_by_a_quiet_check_is_said_by_the_run(tmp_path, caplog):
    path = _p2_text(tmp_path)
    with caplog.at_level(logging.WARNING, logger="evfocus_live"):
        with readers_quiet(), open_file(path) as src:  # (reconstruct's _check_start)
            assert src.time_range_us() == (0, 1990)
        _read_all(path)
    said = _said(caplog)
    assert len(said) == 1 and said[0].getMessage().startswith(f"{path}: polarity holds 1 value(s)")


def test_a_quiet_block_that_lets_it_through_still_says_it_once(tmp_path, caplog):
    path = _p2_text(tmp_path, rows=5000)
    with caplog.at_level(logging.WARNING, logger="evfocus_live"):
        with readers_quiet(lambda r: "nanoseconds" in r.getMessage()):  # (info's drop test)
            _read_all(path, block_bytes=4096)  # (many batches: not once each)
    assert len(_said(caplog)) == 1
