"""The real DAVIS346 recording made index-less (a recorder killed before writing its packet
index: the header says none, or promises one past the file's end) with its camera clock
restarting halfway (the later event packets' LZ4 frames rewritten with times from 20 ms; frame,
IMU and trigger packets kept byte for byte), at a packet edge and inside a packet. Without an
index the reader finds the packets' times by decoding them: every event must come back, the two
clocks be found, and seeks land on the clock that holds the time. Checked on session 32: it
does (no fix needed); this keeps it so on a real file, where only synthetic ones were tested."""

from __future__ import annotations

import logging
import struct

import lz4.frame
import numpy as np
import pytest
from aedat4_relay_support import davis_packets, relaid_davis_copy

from evfocus_live.sources import open_file

T_RESTART_US = 20_000


def _restarted_copy(out_path, header: str, within: int):
    """(expected events, index of the first on the new clock) of a copy of the DAVIS file whose
    event packets from the middle one on (from its ``within``-th event) run on a clock from
    :data:`T_RESTART_US`; ``header``: "none" (dataTablePosition -1) or "cut" (past the end)."""
    per = davis_packets()
    split = len(per) // 2
    shift = int(per[split]["t"][within]) - T_RESTART_US

    def restart(k: int, payload: bytes) -> bytes:
        if k < split:
            return payload
        fb = bytearray(lz4.frame.decompress(payload))
        t = per[k]["t"]
        at = fb.index(struct.pack("<q", int(t[0])))  # (the event vector: 16-byte records, t first)
        for i in range(within if k == split else 0, len(t)):
            assert struct.unpack_from("<q", fb, at + 16 * i)[0] == t[i]
            struct.pack_into("<q", fb, at + 16 * i, int(t[i]) - shift)
        return lz4.frame.compress(bytes(fb))

    relaid_davis_copy(out_path, restart, header)
    exp = np.concatenate(per)
    n1 = sum(len(p) for p in per[:split]) + within
    exp["t"][n1:] -= shift
    return exp, n1


@pytest.mark.parametrize("header", ["none", "cut"])
@pytest.mark.parametrize("within", [0, 500], ids=["at-a-packet-edge", "inside-a-packet"])
def test_restart_in_a_real_file_without_index(tmp_path, caplog, header, within):
    path = tmp_path / "restart.aedat4"
    exp, n1 = _restarted_copy(path, header, within)
    first, second = exp[:n1], exp[n1:]
    with caplog.at_level(logging.WARNING, logger="evfocus_live"), open_file(path) as src:
        assert src._dtp < 0 and src.truncated == (header == "cut")
        assert [c[1:] for c in src.clocks()] == [(int(first["t"][0]), int(first["t"].max())),
                                                 (T_RESTART_US, int(second["t"].max()))]
        assert src.time_range_us() == (T_RESTART_US, int(first["t"].max()))
        assert np.array_equal(np.concatenate(list(src)), exp)
        src.seek(50_000)  # a time only the second clock holds
        assert np.array_equal(np.concatenate(list(src)), second[second["t"] >= 50_000])
        t_mid = int(first["t"][len(first) // 2])  # on the first clock: its rest, then the second clock
        src.seek(t_mid)
        got = np.concatenate(list(src))
        assert np.array_equal(got, np.concatenate([first[first["t"] >= t_mid], second]))
        assert src.stats["clock_resets"] == 1
    said = [r.getMessage() for r in caplog.records if "clock goes back" in r.getMessage()]
    assert len(said) == 1, said
