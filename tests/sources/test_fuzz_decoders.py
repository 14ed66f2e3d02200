"""Fuzz the readers with mutated real files: only InputError, bounded time and memory.

Mutations: truncation, flipped bytes, dropped / duplicated packets (AEDAT4) or word
blocks (RAW), and length fields set to zero or huge values. Every surviving event must
be inside the sensor. Examples are few (runtime ~10-20 s in all) but cover every kind.
"""

from __future__ import annotations

import os
import struct
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import DAVIS_FILE, EVT2_FILE, EVT3_FILE, make_events
from evfocus_live.errors import InputError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources import open_file
from evfocus_live.sources.raw_file import parse_header

#: EVFOCUS_FUZZ_EXAMPLES=500 for a long, randomised run (default: 25, fixed examples)
_N = int(os.environ.get("EVFOCUS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=_N, deadline=10_000, derandomize=_N <= 25, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MEMORY_CAP = 256 << 20  # bytes traced at peak while reading one mutated ~1-2 MB file

DAVIS = DAVIS_FILE.read_bytes()
EVT3 = EVT3_FILE.read_bytes()
EVT2 = EVT2_FILE.read_bytes()


def _aedat_packets(data: bytes) -> list[tuple[int, int]]:
    """(start, end) byte ranges of the packets (header + payload) of an AEDAT4 file."""
    hlen = struct.unpack_from("<I", data, 14)[0]
    pos, out = 18 + hlen, []
    end = 1190063 if data is DAVIS else len(data)  # the data table of the real file
    while pos + 8 <= end:
        size = struct.unpack_from("<i", data, pos + 4)[0]
        out.append((pos, pos + 8 + size))
        pos += 8 + size
    return out


DAVIS_PACKETS = _aedat_packets(DAVIS)


def _check(data: bytes, suffix: str) -> None:
    """Read a mutated file fully: events in bounds, or one InputError; memory bounded."""
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"fuzz{suffix}"
        p.write_bytes(data)
        tracemalloc.start()
        try:
            with open_file(p) as src:
                n = 0
                for batch in src:
                    assert batch.dtype == EVENT_DTYPE
                    assert batch["x"].max() < src.width and batch["y"].max() < src.height
                    n += len(batch)
                src.seek(0)
                src.read()
        except InputError as exc:
            msg = str(exc)
            assert msg and "\n" not in msg
        finally:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert peak < MEMORY_CAP, peak


def _flip(data: bytes, positions, values, start: int) -> bytes:
    b = bytearray(data)
    for pos, v in zip(positions, values):
        i = start + pos % (len(b) - start)
        b[i] ^= v
    return bytes(b)


positions = st.lists(st.integers(0, 1 << 30), min_size=1, max_size=30)
xor_values = st.lists(st.integers(1, 255), min_size=30, max_size=30)
huge = st.sampled_from([0, 1, 7, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 1 << 24])


@FUZZ
@given(kind=st.sampled_from(["truncate", "flip", "drop", "dup", "length", "header_len"]),
       pos=positions, vals=xor_values, length=huge)
def test_fuzz_aedat4(kind, pos, vals, length):
    k = pos[0] % len(DAVIS_PACKETS)
    s, e = DAVIS_PACKETS[k]
    if kind == "truncate":
        data = DAVIS[:pos[0] % len(DAVIS)]
    elif kind == "flip":
        data = _flip(DAVIS, pos, vals, start=0 if pos[0] % 4 == 0 else 3126)
    elif kind == "drop":
        data = DAVIS[:s] + DAVIS[e:]
    elif kind == "dup":
        data = DAVIS[:e] + DAVIS[s:e] + DAVIS[e:]
    elif kind == "length":
        data = DAVIS[:s + 4] + struct.pack("<I", length) + DAVIS[s + 8:]
    else:
        data = DAVIS[:14] + struct.pack("<I", length) + DAVIS[18:]
    _check(data, ".aedat4")


@FUZZ
@given(which=st.sampled_from(["evt3", "evt2"]),
       kind=st.sampled_from(["truncate", "flip", "drop", "dup", "ones", "header"]),
       pos=positions, vals=xor_values)
def test_fuzz_raw(which, kind, pos, vals):
    data = EVT3 if which == "evt3" else EVT2
    _, off = parse_header(data[:4096])
    block = 4 * (1 + pos[0] % 512)
    s = off + (pos[0] % (len(data) - off - block)) // 4 * 4
    if kind == "truncate":
        data = data[:pos[0] % len(data)]
    elif kind == "flip":
        data = _flip(data, pos, vals, start=off)
    elif kind == "drop":
        data = data[:s] + data[s + block:]
    elif kind == "dup":
        data = data[:s + block] + data[s:s + block] + data[s + block:]
    elif kind == "ones":  # words of all-ones (VECT_12/CONTINUED with full masks)
        data = data[:s] + b"\xff" * block + data[s + block:]
    else:
        data = _flip(data, pos, vals, start=0)[:off] + data[off:]
    _check(data, ".raw")


_EV = make_events(20_000, seed=7)


def _small_files() -> dict[str, bytes]:
    from evfocus_live.writers import Hdf5Writer
    out = {}
    with tempfile.TemporaryDirectory() as d:
        np.save(Path(d) / "e.npy", _EV)
        with Hdf5Writer(Path(d) / "e.h5", 346, 260) as w:
            w.write(_EV)
        rows = np.column_stack([_EV["t"] / 1e6, _EV["x"], _EV["y"], _EV["p"]])
        np.savetxt(Path(d) / "e.txt", rows[:3000], fmt=["%.6f", "%d", "%d", "%d"], header="346 260",
                   comments="")
        for k in ("npy", "h5", "txt"):
            out[k] = (Path(d) / f"e.{k}").read_bytes()
    return out


SMALL = _small_files()

# compile every numba signature before hypothesis starts timing examples
for _data, _suffix in [(DAVIS, ".aedat4"), (EVT3, ".raw"), (EVT2, ".raw")] + [(v, "." + k) for k, v in SMALL.items()]:
    _check(_data, _suffix)


@FUZZ
@given(which=st.sampled_from(["npy", "h5", "txt"]), kind=st.sampled_from(["truncate", "flip"]),
       pos=positions, vals=xor_values)
def test_fuzz_npy_h5_text(which, kind, pos, vals):
    data = SMALL[which]
    if kind == "truncate":
        data = data[:pos[0] % len(data)] or b"\x00"
    else:
        data = _flip(data, pos, vals, start=0 if pos[0] % 3 == 0 else min(512, len(data) - 1))
    _check(data, "." + which)
