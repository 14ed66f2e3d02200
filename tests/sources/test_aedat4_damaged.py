"""AEDAT4 files that are damaged or odd: a cut last packet, no event packets, a clock restart."""

from __future__ import annotations

import logging
import struct

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main as cli_main
from evfocus_live.errors import InputError
from evfocus_live.sources import open_file
from evfocus_live.writers import Aedat4Writer


def _half_packet_then_index(tmp_path, list_cut_packet: bool, cut_header: bool = False):
    """A writer's file of three packets whose last one is cut short, followed by a valid
    LZ4 ``FTAB`` index (listing the cut packet or not) that the header points at: what a
    writer leaves that crashed mid-packet and then wrote its index on the way out."""
    import lz4.frame

    from evfocus_live.writers import Aedat4Writer
    from evfocus_live.writers.aedat4 import _DTP_FILE_OFFSET, data_table_bytes

    ev = make_events(3000, 64, 48, duration_us=300_000)
    whole = tmp_path / "whole.aedat4"
    w = Aedat4Writer(whole, 64, 48, max_packet_events=1000)
    w.write(ev)
    rows = [tuple(int(v) for v in r) for r in w.packet_index]
    w.close()
    off3, size3 = rows[2][0], rows[2][2]
    data = whole.read_bytes()
    body = data[:off3 - 5] if cut_header else data[:off3 + size3 // 2]
    index = data_table_bytes(rows if list_cut_packet else rows[:2])
    out = bytearray(body + lz4.frame.compress(index, content_checksum=False))
    struct.pack_into("<q", out, _DTP_FILE_OFFSET, len(body))
    p = tmp_path / "half.aedat4"
    p.write_bytes(bytes(out))
    return p, ev


@pytest.mark.parametrize("list_cut_packet, cut_header", [(False, False), (True, False), (False, True)],
                         ids=["index-without-it", "index-with-it", "cut-in-its-header"])
def test_aedat4_half_packet_before_a_valid_index_yields_the_events_before_it(
        tmp_path, caplog, list_cut_packet, cut_header):
    """The whole file was refused ("corrupt AEDAT4 packet header") though its first two
    packets were whole and dv-processing reads them through the index."""
    from evfocus_live.sources import open_file

    p, ev = _half_packet_then_index(tmp_path, list_cut_packet, cut_header)
    with caplog.at_level(logging.WARNING), open_file(p) as src:
        got = np.concatenate(list(src))
        assert np.array_equal(got, ev[:2000])
        assert src.time_range_us() == (int(ev["t"][0]), int(ev["t"][1999]))
        src.seek(int(ev["t"][1500]))  # seeking through the index still works
        assert np.array_equal(np.concatenate(list(src)), ev[1500:2000])
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "truncated" in warnings[0] and "2 complete event packets" in warnings[0]


def test_aedat4_half_packet_before_an_index_listing_later_packets_is_still_corrupt(tmp_path, capsys):
    """The index lists a packet after the broken one: the chain broke in the middle, and
    reading only the packets before it would silently lose that data."""
    import lz4.frame

    from evfocus_live.writers.aedat4 import _DTP_FILE_OFFSET, data_table_bytes

    p, _ = _half_packet_then_index(tmp_path, list_cut_packet=True)
    data = bytearray(p.read_bytes())
    dtp = struct.unpack_from("<q", data, _DTP_FILE_OFFSET)[0]
    index = data_table_bytes([(dtp + 100, 0, 50, 10, 0, 1)])  # a packet past the broken one
    data = data[:dtp] + lz4.frame.compress(index, content_checksum=False)
    p.write_bytes(bytes(data))
    assert cli_main(["info", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "corrupt AEDAT4 packet header" in err[0], err


def test_aedat4_without_event_packets_fails_at_open(tmp_path):
    """A recording closed (or killed) before its first packet read as an empty stream."""
    p = tmp_path / "e.aedat4"
    Aedat4Writer(p, 346, 260).close()
    with pytest.raises(InputError, match="contains no events"):
        open_file(p)


def test_aedat4_time_range_is_min_max_after_a_clock_restart(tmp_path):
    """time_range_us gave (first packet's first t, last packet's last t): after a camera's
    clock restart that is inverted, e.g. (1_000_000, 500_000), and `--start-s` said "start
    is after the end of the recording (-0.5 s)". Now (min, max), as every other reader."""
    a = make_events(4000, t0_us=1_000_000, duration_us=1_000_000, seed=1)
    b = make_events(4000, t0_us=0, duration_us=500_000, seed=2)
    p = tmp_path / "restart.aedat4"
    with Aedat4Writer(p, 346, 260, max_packet_events=1000) as w:
        w.write(a)
        w.write(b)
    expected = (int(b["t"].min()), int(a["t"].max()))
    with open_file(p) as src:
        assert src.time_range_us() == expected           # from the packet index
    with open_file(p) as src:
        src._dtp = -1                                    # no index: decoded once
        assert src.time_range_us() == expected
        src.seek(int(a["t"][-1]))       # still the packet holding it, and the stream from there
        assert np.concatenate(list(src)).tolist() == np.concatenate([a[-1:], b]).tolist()
