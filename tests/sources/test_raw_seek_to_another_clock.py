"""A seek, in a RAW file whose sensor clock was reset, to a time that only the other clock
holds: from the first clock, a time of the second went to the first block whose last time
reaches it, the file's start (every first-clock time is later), so the viewer's slider could
not go back to the second clock once on the first (a loop, or any seek, put it there). It now
goes to the clock that holds the time; a time between the clocks, to the nearest one."""

from __future__ import annotations

import numpy as np
import pytest
from reader_support import reset_clock_file

from evfocus_live.sources.raw_file import RawFileSource


@pytest.mark.parametrize("version", [3, 2])
@pytest.mark.parametrize("block_bytes", [None, 8192])
def test_a_seek_from_the_first_clock_to_a_time_of_the_second(tmp_path, version, block_bytes):
    path, first, second = reset_clock_file(tmp_path, version)
    kw = {} if block_bytes is None else dict(block_bytes=block_bytes)
    with RawFileSource(path, **kw) as src:
        assert [c[1:] for c in src.clocks()] == [(int(first["t"][0]), int(first["t"][-1])),
                                                 (int(second["t"][0]), int(second["t"][-1]))]
        src.seek(120_000)  # on the first clock (a fresh reader): a time only the second holds
        got = np.concatenate(list(src))
        assert np.array_equal(got, second[second["t"] >= 120_000])  # before: the whole file from 5.0 s
        src.seek(3_000_000)  # between the clocks, nearer the first's start: there, the file's start
        assert np.array_equal(np.concatenate(list(src)), np.concatenate([first, second]))
        src.seek(1_000_000)  # nearer the second's end: its last time (it went to the file's start too)
        assert np.array_equal(np.concatenate(list(src)), second[second["t"] == second["t"][-1]])
        src.seek(6_000_000)  # after every clock: nothing, as before
        assert not [b for b in src if len(b)]
