"""A RAW file read in small blocks (``block_bytes`` under ~1000) must decode as ``decode_all``
does. A TIME_HIGH jump is judged by the TIME_HIGH words after it; at a block's first word the
block alone held too few of them, so a clock reset there was taken for damage: the reader and
its index stopped at the first clock while ``decode_all`` read both."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import EVT2_FILE, EVT3_FILE, make_events
from evt_reference import encode_evt2, encode_evt3

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources import evt
from evfocus_live.sources.raw_file import RawFileSource, parse_header

REAL = {3: (EVT3_FILE, 1280, 720), 2: (EVT2_FILE, 640, 480)}
SMALL_BLOCK_BYTES = [128, 256, 600, 998]


def _encode(version: int, ev: np.ndarray) -> bytes:
    return encode_evt3(ev) if version == 3 else encode_evt2(ev)


def _reset_file(tmp_path, version: int, garbage_bytes: int = 0):
    """The real file, then 0.2 s of events on a clock restarted at 20 ms, then random bytes."""
    path, w, h = REAL[version]
    after = make_events(5000, w, h, t0_us=20_000, duration_us=200_000, seed=7)
    data = path.read_bytes() + _encode(version, after)
    data += np.random.default_rng(3).integers(0, 256, garbage_bytes, dtype=np.uint8).tobytes()
    out = tmp_path / f"reset{version}_{garbage_bytes}.raw"
    out.write_bytes(data)
    return out, after


def _decode_all(path, version: int):
    data = path.read_bytes()
    _, off = parse_header(data[:1 << 20])
    st = evt.new_state()
    _, w, h = REAL[version]
    return evt.decode_all(data[off:], version, w, h, state=st), st


@pytest.mark.parametrize("version", [3, 2])
@pytest.mark.parametrize("block_bytes", SMALL_BLOCK_BYTES)
def test_a_clock_reset_read_in_small_blocks_is_decode_all(tmp_path, version, block_bytes):
    path, after = _reset_file(tmp_path, version)
    whole, st = _decode_all(path, version)
    assert st[evt.CLOCK_BACKS] == 1 and not st[evt.DAMAGED]
    with RawFileSource(path, block_bytes=block_bytes, backend="evfocus") as src:
        got = np.concatenate(list(src))
        # before (EVT3): the events after the reset were lost, read as damage at its byte
        assert np.array_equal(got, whole)
        assert src.stats["clock_resets"] == 1 and src.stats["damaged_at_byte"] is None
        # the index (seek, time range, clocks) agrees
        assert src.time_range_us() == (int(whole["t"].min()), int(whole["t"].max()))
        assert len(src.clocks()) == 2
        t_us = int(after["t"][2500])
        src.seek(t_us)  # a time on the second clock only
        assert np.array_equal(np.concatenate(list(src)), after[after["t"] >= t_us])


@pytest.mark.parametrize("version", [3, 2])
@pytest.mark.parametrize("block_bytes", [128, 998])
def test_garbage_after_a_reset_stops_small_blocks_where_decode_all_stops(tmp_path, version, block_bytes):
    path, _ = _reset_file(tmp_path, version, garbage_bytes=16_384)
    whole, st = _decode_all(path, version)
    assert st[evt.CLOCK_BACKS] == 1 and st[evt.DAMAGED]
    with RawFileSource(path, block_bytes=block_bytes, backend="evfocus") as src:
        assert np.array_equal(np.concatenate(list(src)), whole)
        assert src.stats["clock_resets"] == 1 and src.stats["damage_jump_us"] == st[evt.DAMAGE_JUMP_US]
        assert src.time_range_us() == (int(whole["t"].min()), int(whole["t"].max()))


def _streams(version: int) -> dict[str, bytes]:
    """Byte streams whose TIME_HIGH jumps need the words after them to be judged."""
    ev = make_events(2000, 640, 480, t0_us=5_000_000, duration_us=200_000, seed=1)
    back = make_events(2000, 640, 480, t0_us=100_000, duration_us=200_000, seed=2)
    few_back = make_events(20, 640, 480, t0_us=100_000, duration_us=100, seed=4)
    gap = make_events(2000, 640, 480, t0_us=8_000_000, duration_us=200_000, seed=3)
    enc = encode_evt3 if version == 3 else encode_evt2
    return {"reset": enc(ev) + enc(back),                   # back, then steps on: decoded on
            "reset_at_end": enc(ev) + enc(few_back),          # back with too few words after: damage
            "gap": enc(ev) + enc(gap),                        # forward, then steps on: data
            "gap_then_back": enc(ev) + enc(gap[:20]) + enc(few_back) + enc(ev)}  # forward, then jumps: damage


@pytest.mark.parametrize("version", [3, 2])
@pytest.mark.parametrize("block_words", [1, 5, 64, 333])
@pytest.mark.parametrize("case", ["reset", "reset_at_end", "gap", "gap_then_back"])
def test_decode_more_in_blocks_of_any_size_is_decode_all(version, block_words, case):
    data = _streams(version)[case]
    st_all = evt.new_state()
    whole = evt.decode_all(data, version, 640, 480, state=st_all)
    words = np.frombuffer(data, dtype="<u2" if version == 3 else "<u4")
    st, out, parts, pos = evt.new_state(), np.empty(1 << 16, EVENT_DTYPE), [], 0
    while pos < len(words):
        end = min(len(words), pos + block_words)
        n, used = evt.decode_more(lambda a, b: words[a:b], pos, end, len(words), st, out, version, 640, 480)
        parts.append(out[:n].copy())
        pos = len(words) if st[evt.DAMAGED] else pos + used
    assert np.array_equal(np.concatenate(parts), whole)
    for k in (evt.CLOCK_BACKS, evt.DAMAGED, evt.DAMAGE_JUMP_US, evt.DROPPED):
        assert st[k] == st_all[k], k
