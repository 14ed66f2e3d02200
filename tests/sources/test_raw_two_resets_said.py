"""A RAW file whose sensor clock is reset twice: each reset is said once, with its own byte.

The reader said only the first reset of a file; since the pipeline now leaves a RAW file's
resets to the reader (the slicer's restart line is not said twice), a second reset was said
nowhere above debug level."""

from __future__ import annotations

import logging
import re

import numpy as np
import pytest
from conftest import make_events
from evt_reference import encode_evt2, encode_evt3, raw_file_bytes

from evfocus_live.sources import open_file


@pytest.mark.parametrize("version", [3, 2])
def test_each_clock_reset_is_said_once_with_its_byte(tmp_path, caplog, version):
    parts = [make_events(20_000, 64, 48, t0_us=t0, duration_us=200_000, seed=i)
             for i, t0 in enumerate((9_000_000, 4_000_000, 20_000))]
    enc = encode_evt3 if version == 3 else encode_evt2
    head = raw_file_bytes(parts[0], version, width=64, height=48)
    second = enc(parts[1])
    path = tmp_path / f"two_resets{version}.raw"
    path.write_bytes(head + second + enc(parts[2]))
    with caplog.at_level(logging.WARNING), open_file(path) as src:
        got = np.concatenate(list(src))
        assert len(got) == 60_000 and src.stats["clock_resets"] == 2
        src.seek(int(got["t"][0]))  # a looping replay: not said again
        assert sum(len(b) for b in src) == len(got)
    said = [r.getMessage() for r in caplog.records if "clock goes back by" in r.getMessage()]
    assert len(said) == 2, said
    at = [int(re.search(r"at byte (\d+)", m).group(1)) for m in said]
    assert at == [len(head), len(head) + len(second)]



@pytest.mark.parametrize("version", [3, 2])
def test_two_resets_in_one_read_block_give_three_clocks(tmp_path, version):
    """The index split a block at a call's first reset only: a block starting at one reset
    held the next clock's events too, so the file had two clocks instead of three."""
    parts = [make_events(5_000, 64, 48, t0_us=t0, duration_us=100_000, seed=i)
             for i, t0 in enumerate((9_000_000, 4_000_000, 20_000))]
    enc = encode_evt3 if version == 3 else encode_evt2
    path = tmp_path / f"three_clocks{version}.raw"
    path.write_bytes(raw_file_bytes(parts[0], version, width=64, height=48) + enc(parts[1]) + enc(parts[2]))
    with open_file(path) as src:
        clocks = src.clocks()
    assert len(clocks) == 3, clocks
    for (_, t_first_us, t_last_us), part in zip(clocks, parts):
        assert t_first_us == int(part["t"].min()) and t_last_us == int(part["t"].max())
