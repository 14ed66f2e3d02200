"""An AEDAT4 file without its packet index (a recorder killed before close) kept a changed time in a
packet's first or last event: inside a packet a run away is seen by coming back, but its first
(last) event has nothing before (after) it, and the file's first event read -3.5e18 µs (or 2e16
µs) into ``evfocus info``'s span. As the column readers do at a file's ends
(:func:`~evfocus_live.sources.corrupt_times.edge_context`), a run of a few events at a packet's
end, over an hour from the rest, is now left out and counted; a clock restart is still kept."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.sources import open_file
from evfocus_live.writers.aedat4 import Aedat4Writer

T0_US = 1_633_953_690_975_950  # a DAVIS's clock (µs since 1970)
PACKET = 3000


def _no_index_file(path, ev) -> bytes:
    """``ev`` in uncompressed packets of :data:`PACKET`, as the file was before close wrote its index."""
    w = Aedat4Writer(path, 346, 260, compression="none", max_packet_events=PACKET)
    w.write(ev)
    w._fh.flush()
    data = path.read_bytes()
    w.close()
    path.write_bytes(data)
    return data


def _read(path):
    with open_file(path) as src:
        return np.concatenate(list(src)), src.stats, src.time_range_us()


@pytest.mark.parametrize("bad_t", [-3_458_758_131_188_935_398, None], ids=["real-flip", "high-byte"])
@pytest.mark.parametrize("k", [0, 5 * PACKET, 6 * PACKET - 1, 10 * PACKET - 1],
                         ids=["file-first", "packet-first", "packet-last", "file-last"])
def test_a_changed_time_at_a_packet_end_is_left_out(tmp_path, k, bad_t):
    ev = make_events(10 * PACKET, t0_us=T0_US, duration_us=300_000, seed=7)
    path = tmp_path / "rec.aedat4"
    data = bytearray(_no_index_file(path, ev))
    old = int(ev["t"][k]).to_bytes(8, "little", signed=True)
    i = data.find(old)
    assert i > 0
    new = old[:6] + bytes([old[6] ^ 0x40]) + old[7:] if bad_t is None else bad_t.to_bytes(8, "little", signed=True)
    data[i:i + 8] = new
    path.write_bytes(bytes(data))
    got, stats, t_range = _read(path)
    want = np.delete(ev, k)
    assert np.array_equal(got, want)
    assert stats["corrupt_times"] == 1
    assert t_range == (int(want["t"].min()), int(want["t"].max()))


@pytest.mark.parametrize("at", [5 * PACKET, 5 * PACKET + 100], ids=["packet-boundary", "mid-packet"])
def test_a_clock_restart_without_an_index_is_kept(tmp_path, at):
    """A camera re-synchronised hours back: both clocks' events read, none left out."""
    ev = make_events(10 * PACKET, t0_us=T0_US, duration_us=300_000, seed=7)
    ev["t"][at:] -= 5 * 3_600_000_000
    path = tmp_path / "restart.aedat4"
    _no_index_file(path, ev)
    got, stats, _ = _read(path)
    assert stats["corrupt_times"] == 0 and np.array_equal(got, ev)
