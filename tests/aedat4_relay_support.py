"""Copies of the real DAVIS346 AEDAT4 file with event packets rewritten (damage, clock
restarts, empty packets) and no packet index, written packet by packet so that sizes may change.
Frame, IMU and trigger packets are kept byte for byte."""

from __future__ import annotations

import struct
from collections.abc import Callable

import numpy as np
from conftest import DAVIS_FILE

from evfocus_live.sources.aedat4_file import Aedat4FileSource


def davis_packets() -> list[np.ndarray]:
    """The DAVIS file's events, one array per event packet (as its reader decodes them)."""
    with Aedat4FileSource(DAVIS_FILE) as s:
        return [s._packet_events(k)[0] for k in range(len(s._offs))]


def relaid_davis_copy(path, rewrite: Callable[[int, bytes], bytes], header: str = "none") -> None:
    """Write to ``path`` the DAVIS file's packets, event packet ``k``'s payload (LZ4 frame)
    replaced by ``rewrite(k, payload)``, and no index: ``header`` "none" says so
    (dataTablePosition -1, a recorder killed before writing it), "cut" promises one past the
    file's end (a copy cut before it)."""
    data = DAVIS_FILE.read_bytes()
    with Aedat4FileSource(DAVIS_FILE) as s:
        offs, dtp = s._offs.tolist(), s._dtp
    hlen = struct.unpack_from("<I", data, 14)[0]
    out = bytearray(data[:18 + hlen])
    dtp_at = bytes(out).index(struct.pack("<q", dtp))
    ev_packet = {o - 8: k for k, o in enumerate(offs)}
    pos = 18 + hlen
    while pos < dtp:
        sid, size = struct.unpack_from("<ii", data, pos)
        payload = data[pos + 8:pos + 8 + size]
        if pos in ev_packet:
            payload = rewrite(ev_packet[pos], payload)
        out += struct.pack("<ii", sid, len(payload)) + payload
        pos += 8 + size
    out[dtp_at:dtp_at + 8] = struct.pack("<q", -1 if header == "none" else len(out) + 4096)
    path.write_bytes(out)
