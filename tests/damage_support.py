"""A damaged copy of the DAVIS recording, for the tests of a replay that meets a bad packet."""

from __future__ import annotations

from conftest import DAVIS_FILE

from evfocus_live.sources import open_file


def damaged_copy(tmp_path):
    """The DAVIS recording with its middle event packet's LZ4 bytes overwritten: (path, offset)."""
    with open_file(DAVIS_FILE) as src:
        off = int(src._offs[len(src._offs) // 2])
    data = bytearray(DAVIS_FILE.read_bytes())
    data[off + 20:off + 60] = b"\xff" * 40
    path = tmp_path / "damaged.aedat4"
    path.write_bytes(bytes(data))
    return path, off
