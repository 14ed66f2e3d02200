"""The AEDAT4 reader's fast path (the first packets decoded in the reading thread, LZ4 frames
there block by block into a reused buffer) reads exactly what the plain path read: every
LZ4 frame through ``lz4.frame``, every packet on the prefetch threads."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from conftest import DAVIS_FILE, make_events

from evfocus_live.errors import InputError
from evfocus_live.sources import aedat4_file
from evfocus_live.sources.aedat4_file import Aedat4FileSource, lz4_frame_into
from evfocus_live.writers import Aedat4Writer

lz4_frame = pytest.importorskip("lz4.frame")
lz4_block = pytest.importorskip("lz4.block")


def _outcome(path, seeks=()) -> tuple[list, object]:
    """Every batch read from the start (then from each seek), and what ended the reading:
    the error's text, else the reader's stats."""
    got: list = []
    try:
        with Aedat4FileSource(path) as src:
            for t_us in (None, *seeks):
                if t_us is not None:
                    src.seek(t_us)
                    got.append(("seek", t_us))
                while (b := src.read()) is not None:
                    got.append((b.dtype.str, b.tobytes()))
            return got, src.stats
    except InputError as exc:
        return got, str(exc)


def _both(path, monkeypatch, seeks=(), inline_bytes=None) -> tuple[tuple, tuple, int]:
    """(fast path's outcome, plain path's outcome, frames the fast path decoded itself)."""
    taken = []

    def counted(*a):
        got = lz4_frame_into(*a)
        taken.append(got is not None)
        return got

    with monkeypatch.context() as m:
        m.setattr(aedat4_file, "lz4_frame_into", counted)
        if inline_bytes is not None:
            m.setattr(aedat4_file, "INLINE_BYTES", inline_bytes)
        fast = _outcome(path, seeks)
    with monkeypatch.context() as m:
        m.setattr(aedat4_file, "lz4_frame_into", lambda *a: None)
        m.setattr(aedat4_file, "INLINE_BYTES", 0)
        plain = _outcome(path, seeks)
    return fast, plain, sum(taken)


def test_real_davis_file_reads_the_same(monkeypatch):
    fast, plain, taken = _both(DAVIS_FILE, monkeypatch, seeks=(1633953691040000, 1633953690975950))
    assert fast == plain
    assert sum(len(b[1]) // 13 for b in fast[0] if b[0] != "seek") > 117_667  # (and the seeks' events)
    assert taken >= 13  # dv's frames (no declared size) went the fast way


def _frame_raw_then_linked(data: bytes, linked: bool = True) -> bytes:
    """An LZ4 frame whose first block is stored uncompressed and whose second, linked block
    is compressed against it (what an LZ4 writer does with incompressible data); the header
    is lz4.frame's own for the same flags (``linked=False``: a frame of independent blocks,
    which its second block then wrongly reaches back from)."""
    head = lz4_frame.compress(data, store_size=True, block_linked=linked, content_checksum=False)[:15]
    first, rest = data[:1000], data[1000:]
    assert len(rest) <= 65536
    comp = lz4_block.compress(rest, store_size=False, dict=first)
    return (head + struct.pack("<I", len(first) | 1 << 31) + first
            + struct.pack("<I", len(comp)) + comp + struct.pack("<I", 0))


#: per packet, in turn: the frames dv and other LZ4 writers make (the last two: checksums,
#: which the fast path leaves to lz4.frame)
_FRAMES = [
    lambda d: lz4_frame.compress(d, content_checksum=False),
    lambda d: lz4_frame.compress(d, store_size=False, block_linked=False,
                                 block_size=lz4_frame.BLOCKSIZE_MAX256KB),
    lambda d: lz4_frame.compress(d, compression_level=9, store_size=False),
    lambda d: lz4_frame.compress(d, block_size=lz4_frame.BLOCKSIZE_MAX1MB, store_size=False),
    lambda d: lz4_frame.compress(d, block_size=lz4_frame.BLOCKSIZE_MAX4MB),
    lambda d: _frame_raw_then_linked(d) if len(d) <= 66536 else lz4_frame.compress(d),
    lambda d: lz4_frame.compress(d, content_checksum=True),
    lambda d: lz4_frame.compress(d, block_checksum=True),
]


def _mixed_file(path, monkeypatch, compression: str = "lz4"):
    """Our writer's file of packets of 1 to 70 000 events, each LZ4 one framed in turn as
    in ``_FRAMES``; the events written."""
    k = iter(range(1 << 30))

    def compress(self, data: bytes) -> bytes:
        if self.compression == "none":
            return data
        frame = _FRAMES[next(k) % len(_FRAMES)](data)
        assert lz4_frame.decompress(frame) == data
        return frame

    ev = make_events(400_000, 346, 260, duration_us=4_000_000, seed=3)
    sizes = [1, 7, 100, 2000, 4096, 5000, 70_000, 3, 2000, 900, 2000, 150_000, 2000, 2000, 1, 2000]
    with monkeypatch.context() as m:
        m.setattr(Aedat4Writer, "_compress", compress)
        with Aedat4Writer(path, 346, 260, compression=compression, max_packet_events=70_000) as w:
            at = 0
            for n in sizes:
                w.write(ev[at:at + n])
                at += n
    return ev[:at]


@pytest.mark.parametrize("compression", ["lz4", "none"])
def test_packets_of_many_sizes_and_frames_read_the_same(tmp_path, monkeypatch, compression):
    p = tmp_path / "mixed.aedat4"
    ev = _mixed_file(p, monkeypatch, compression)
    t = ev["t"]
    seeks = (int(t[len(t) // 2]), int(t[5]), int(t[-1]))
    # all in the reading thread; prefetch threads after ~three packets (a seek between)
    for inline in (1 << 40, 100_000):
        fast, plain, taken = _both(p, monkeypatch, seeks, inline_bytes=inline)
        assert fast == plain
        assert not isinstance(fast[1], str)
        first = [b for b in fast[0] if b[0] == "seek"][0]
        read = np.frombuffer(b"".join(b[1] for b in fast[0][:fast[0].index(first)]), ev.dtype)
        assert read.tobytes() == ev.tobytes()
        if compression == "lz4":  # (the checksummed frames, and the prefetch threads', went to lz4.frame)
            assert taken > (10 if inline == 1 << 40 else 0)


def test_damaged_packets_end_the_same(tmp_path, monkeypatch):
    """Bytes flipped in the frame headers, block sizes and data of packets: the same events
    before the damage, and the same error (or the same events, where the frame still decodes)."""
    p = tmp_path / "mixed.aedat4"
    _mixed_file(p, monkeypatch)
    data = p.read_bytes()
    with Aedat4FileSource(p) as src:
        packets = list(zip(src._offs.tolist(), src._sizes.tolist()))
    rng = np.random.default_rng(7)
    spots = []
    for k in (0, 3, 5, 6, 9, 12):
        off, n = packets[k]
        # magic, FLG, BD, a declared size, the header checksum, the first block size, data, end mark
        spots += [off + 1, off + 4, off + 5, off + 7, off + 6 + (8 if data[off + 4] & 8 else 0),
                  off + 15, off + 17, off + int(rng.integers(20, n - 4)), off + n - 2]
    for at in spots:
        bad = bytearray(data)
        bad[at] ^= 0x5A
        q = tmp_path / "bad.aedat4"
        q.write_bytes(bytes(bad))
        fast, plain, _ = _both(q, monkeypatch, inline_bytes=1 << 40)
        assert fast == plain, at


def test_fast_path_refuses_what_it_cannot_vouch_for():
    """Frames the fast path leaves to lz4.frame: it says None, never other bytes."""
    data = make_events(3000).tobytes()
    plain = lz4_frame.compress(data)
    scratch = np.empty(0, np.uint8)
    buf, n = lz4_frame_into(plain, scratch, 1 << 24)
    assert buf[:n].tobytes() == data
    assert lz4_frame_into(lz4_frame.compress(data, content_checksum=True), scratch, 1 << 24) is None
    assert lz4_frame_into(plain + b"\0", scratch, 1 << 24) is None  # data after the frame
    assert lz4_frame_into(plain, scratch, 1000) is None  # more than the cap
    bad_hc = bytearray(plain)
    bad_hc[14] ^= 1
    assert lz4_frame_into(bytes(bad_hc), scratch, 1 << 24) is None
    assert lz4_frame_into(plain[:-9] + plain[-4:], scratch, 1 << 24) is None  # a block cut short
    independent = _frame_raw_then_linked(data[:20_000], linked=False)
    with pytest.raises(RuntimeError):
        lz4_frame.decompress(independent)
    assert lz4_frame_into(independent, scratch, 1 << 24) is None


def test_a_buffer_too_big_to_keep_reads_the_same(tmp_path, monkeypatch):
    """A packet whose LZ4 buffer is over ``SCRATCH_KEEP_BYTES`` (not kept for the next one)."""
    p = tmp_path / "mixed.aedat4"
    _mixed_file(p, monkeypatch)
    monkeypatch.setattr(aedat4_file, "SCRATCH_KEEP_BYTES", 100_000)
    fast, plain, taken = _both(p, monkeypatch, inline_bytes=1 << 40)
    assert fast == plain and taken > 10
