"""An AEDAT4 event packet whose flatbuffer has no ``elements`` vector (a legal empty
``EventPacket``: the field absent, or a table with no fields at all) made ``read()`` raise
``ValueError: not enough values to unpack (expected 3, got 2)``, a traceback out of every
command: the reader's empty case returned 2 values where the others return 3. Found by the
session 32 sweep of ``np.empty`` returns in sources/. Checked on a copy of the real DAVIS346
file (index-less: its packets re-laid) with its middle event packet emptied."""

from __future__ import annotations

import struct

import lz4.frame
import numpy as np
import pytest
from aedat4_relay_support import davis_packets, relaid_davis_copy

from evfocus_live.cli import main
from evfocus_live.sources import open_file

#: size-prefixed EVTS flatbuffers with no elements: a vtable of one absent field, or of none
EMPTY_PACKETS = {
    "field-absent": struct.pack("<I", 16) + b"EVTS" + struct.pack("<HHH", 6, 4, 0) + b"\0\0" + struct.pack("<i", 8),
    "no-fields": struct.pack("<I", 12) + b"EVTS" + struct.pack("<HH", 4, 4) + struct.pack("<i", 4),
}


def _emptied_copy(path, body: bytes):
    """A copy of the DAVIS file (no index) whose middle event packet holds ``body``; the events
    the others hold."""
    per = davis_packets()
    middle = len(per) // 2
    relaid_davis_copy(path, lambda k, payload: (lz4.frame.compress(struct.pack("<I", len(body)) + body)
                                                if k == middle else payload))
    return np.concatenate([p for k, p in enumerate(per) if k != middle])


@pytest.mark.parametrize("kind", sorted(EMPTY_PACKETS))
def test_an_event_packet_without_elements_reads_as_empty(tmp_path, kind):
    path = tmp_path / "empty_packet.aedat4"
    exp = _emptied_copy(path, EMPTY_PACKETS[kind])
    with open_file(path) as src:
        assert np.array_equal(np.concatenate(list(src)), exp)
        assert src.time_range_us() == (int(exp["t"].min()), int(exp["t"].max()))
        t_mid = int(exp["t"][len(exp) // 2])
        src.seek(t_mid)
        assert np.array_equal(np.concatenate(list(src)), exp[exp["t"] >= t_mid])


def test_info_describes_it(tmp_path, capsys):
    path = tmp_path / "empty_packet.aedat4"
    exp = _emptied_copy(path, EMPTY_PACKETS["field-absent"])
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"events      {len(exp):,}" in out, out
