"""A seek in a RAW file whose sensor clock was reset mid-recording: both clocks' times share one
time line, and a time on the second clock was found in the first clock's blocks (their last
time is later). A paused replay's frame remade there (a seek to where its window began) showed
the file's first window. The reader now seeks on the clock it is on when that clock holds the
time; a time at or before the earliest is still the file's start (a loop), and another clock's
time is found as before."""

from __future__ import annotations

import numpy as np
import pytest
from reader_support import reset_clock_file

from evfocus_live.sources.raw_file import RawFileSource


def _read_until(src, t_below_us):
    """Read until the reader is on the second clock (a batch below ``t_below_us``)."""
    for batch in src:
        if batch["t"].min() < t_below_us:
            return
    raise AssertionError("never reached the second clock")


@pytest.mark.parametrize("version", [3, 2])
@pytest.mark.parametrize("block_bytes", [None, 8192])
def test_a_seek_on_the_second_clock_stays_on_it(tmp_path, version, block_bytes):
    path, first, second = reset_clock_file(tmp_path, version)
    kw = {} if block_bytes is None else dict(block_bytes=block_bytes)
    with RawFileSource(path, **kw) as src:
        assert src.time_range_us() == (int(second["t"][0]), int(first["t"][-1]))
        _read_until(src, 1_000_000)
        src.seek(120_000)  # (the remake of a window on the second clock)
        got = np.concatenate(list(src))
        assert got["t"][0] >= 120_000 and got["t"].max() < 1_000_000  # (before: from 5.0 s, the first clock)
        assert np.array_equal(got, second[second["t"] >= 120_000])
        src.seek(int(first["t"][100]))  # a time of the first clock only: found there, as before
        assert np.array_equal(np.concatenate(list(src)), np.concatenate([first[100:], second]))
        src.seek(src.time_range_us()[0])  # a loop's seek (at the end) to the start: the file's first event
        assert np.array_equal(np.concatenate(list(src)), np.concatenate([first, second]))
