"""EVT2/EVT3 numba decoder against the pure-Python reference, on real and synthetic data."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from conftest import EVT2_FILE, EVT3_FILE, make_events
from evfocus_live.errors import InputError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources import evt
from evfocus_live.sources.raw_file import RawFileSource, header_geometry, header_version, parse_header
from evt_reference import (as_events, encode_evt2, encode_evt3, raw_file_bytes, ref_decode_evt2,
                           ref_decode_evt3)


def _payload(path):
    data = path.read_bytes()
    _, off = parse_header(data[: 1 << 20])
    return data[off:]


@pytest.mark.parametrize("path,version,ref", [(EVT3_FILE, 3, ref_decode_evt3), (EVT2_FILE, 2, ref_decode_evt2)])
def test_real_file_matches_reference_exactly(path, version, ref):
    data = _payload(path)
    expected = as_events(ref(data))          # whole file: the oracle runs in < 1 s
    got = evt.decode_all(data, version, width=1280, height=720)
    assert len(got) == len(expected) == (219_596 if version == 3 else 539_481)
    assert np.array_equal(got, expected)


def test_real_evt3_time_low_backwards_kept_raw():
    src = RawFileSource(EVT3_FILE)
    ev = np.concatenate(list(src))
    # the file has TIME_LOW values going backwards (SOURCES.md); kept raw, counted
    assert src.stats["time_low_backwards"] > 0
    assert ev["t"].min() == 11_718_656 and ev["t"].max() == 11_727_457


def _wrapping_events(version):
    if version == 3:
        wrap = 1 << 24
        a = make_events(6000, width=1280, height=720, t0_us=wrap - 30_000, duration_us=60_000, seed=1)
        b = make_events(6000, width=1280, height=720, t0_us=2 * wrap - 30_000, duration_us=60_000, seed=2)
        ev = np.concatenate([a, b])
        # dense rows with consecutive x so the encoder emits VECT_BASE_X + VECT_12/VECT_8
        run = np.zeros(40, EVENT_DTYPE)
        run["t"], run["x"], run["y"], run["p"] = wrap + 12_345, np.arange(100, 140), 7, 1
        # sparse events every 0.5 s across the 16.7 s between the two bursts: a TIME_HIGH
        # jump over 1 s is taken as damage (garbage data) and ends decoding
        fill = np.zeros(34, EVENT_DTYPE)
        fill["t"], fill["x"], fill["y"] = wrap + 40_000 + 500_000 * np.arange(34), 5, 5
        ev = np.sort(np.concatenate([ev, run, fill]), order="t", kind="stable")
    else:
        wrap = 1 << 34
        ev = make_events(5000, width=640, height=480, t0_us=wrap - 20_000, duration_us=40_000, seed=3)
    return ev


def _encode(ev, version):
    return encode_evt3(ev) if version == 3 else encode_evt2(ev)


@pytest.mark.parametrize("version", [3, 2])
def test_synthetic_wrap_roundtrip_and_reference(version):
    ev = _wrapping_events(version)
    data = _encode(ev, version)
    if version == 3:
        # the encoder really produced vector words
        kinds = np.frombuffer(data, "<u2") >> 12
        assert {0x3, 0x4}.issubset(set(kinds.tolist()))
        ref = as_events(ref_decode_evt3(data))
    else:
        ref = as_events(ref_decode_evt2(data))
    got = evt.decode_all(data, version)
    assert np.array_equal(ref, ev)
    assert np.array_equal(got, ev)
    assert got["t"].max() > (1 << 24 if version == 3 else 1 << 34)  # time went past the wrap


def _decode_in_pieces(data, version, cuts):
    """Decode ``data`` split at byte offsets ``cuts`` (word-aligned), state carried across."""
    w = 2 if version == 3 else 4
    words = np.frombuffer(data, "<u2" if version == 3 else "<u4")
    st = evt.new_state()
    parts, prev = [], 0
    out = np.empty(len(words) * 12 + 16, EVENT_DTYPE)
    for c in list(cuts) + [len(data)]:
        assert c % w == 0
        n, used = evt.decode(words[prev // w:c // w], st, out, version)
        assert used == (c - prev) // w
        parts.append(out[:n].copy())
        prev = c
    return np.concatenate(parts)


def test_evt3_split_after_every_word_kind():
    ev = _wrapping_events(3)
    data = _encode(ev, 3)
    kinds = np.frombuffer(data, "<u2") >> 12
    whole = evt.decode_all(data, 3)
    for kind in (0x8, 0x6, 0x0, 0x2, 0x3, 0x4):
        idx = np.flatnonzero(kinds == kind)
        # the first, one in the middle and the last occurrence; cut just before and after it
        for i in {int(idx[0]), int(idx[len(idx) // 2]), int(idx[-1])}:
            for cut_word in (i, i + 1):
                got = _decode_in_pieces(data, 3, [cut_word * 2])
                assert np.array_equal(got, whole), (hex(kind), cut_word)


def test_evt3_split_at_the_time_wrap_and_random_cuts():
    ev = _wrapping_events(3)
    data = _encode(ev, 3)
    words = np.frombuffer(data, "<u2")
    th = np.flatnonzero((words >> 12) == 0x8)
    vals = words[th] & 0xFFF
    wrap_at = int(th[np.flatnonzero(np.diff(vals.astype(np.int64)) < 0)[0] + 1])
    whole = evt.decode_all(data, 3)
    for cut in (wrap_at - 1, wrap_at, wrap_at + 1):
        assert np.array_equal(_decode_in_pieces(data, 3, [cut * 2]), whole)
    rng = np.random.default_rng(0)
    cuts = np.unique(rng.integers(1, len(words), 200)) * 2
    assert np.array_equal(_decode_in_pieces(data, 3, cuts), whole)


def test_evt2_split_everywhere_across_wrap():
    ev = _wrapping_events(2)
    data = _encode(ev, 2)
    words = np.frombuffer(data, "<u4")
    whole = evt.decode_all(data, 2)
    assert np.array_equal(whole, ev)
    th = np.flatnonzero((words >> 28) == 0x8)
    cuts = sorted({int(c) * 4 for c in np.concatenate([th[:50], th[:50] + 1, np.arange(1, len(words), 97)])})
    assert np.array_equal(_decode_in_pieces(data, 2, cuts), whole)


@pytest.mark.parametrize("version", [3, 2])
def test_small_output_capacity_resumes_exactly(version):
    ev = _wrapping_events(version)
    data = _encode(ev, version)
    words = np.frombuffer(data, "<u2" if version == 3 else "<u4")
    st, out, parts, i = evt.new_state(), np.empty(13, EVENT_DTYPE), [], 0
    while i < len(words):
        n, used = evt.decode(words[i:], st, out, version)
        assert used > 0 or n > 0
        parts.append(out[:n].copy())
        i += used
    assert np.array_equal(np.concatenate(parts), ev)


def test_out_of_sensor_events_dropped_and_counted():
    ev = make_events(1000, width=1280, height=720, seed=5)
    data = encode_evt3(ev)
    st = evt.new_state()
    got = evt.decode_all(data, 3, width=640, height=480, state=st)
    keep = (ev["x"] < 640) & (ev["y"] < 480)
    assert np.array_equal(got, ev[keep])
    assert st[evt.DROPPED] == np.count_nonzero(~keep)


def test_words_before_first_time_high_are_skipped():
    ev = make_events(100, seed=6)
    data = encode_evt3(ev)
    junk = np.array([0x0005, 0x2003, 0x6123], "<u2").tobytes()  # ADDR_Y, ADDR_X, TIME_LOW
    assert np.array_equal(evt.decode_all(junk + data, 3), ev)


# --- header -------------------------------------------------------------------------

def test_legacy_headers_of_the_real_files():
    f3, _ = parse_header(EVT3_FILE.read_bytes()[:4096])
    f2, _ = parse_header(EVT2_FILE.read_bytes()[:4096])
    assert header_version(f3) == 3 and header_geometry(f3) == (1280, 720)
    assert header_version(f2) == 2 and header_geometry(f2) == (640, 480)


@pytest.mark.parametrize("lines,version,size", [
    (["% evt 3.0", "% format EVT3;height=720;width=1280", "% end"], 3, (1280, 720)),
    (["% format EVT2;height=480;width=640"], 2, (640, 480)),
    (["% evt 3.0", "% geometry 320x320"], 3, (320, 320)),
    (["% evt 3.0", "% plugin_name hal_plugin_genx320_mp"], 3, (320, 320)),
    (["% evt 3.0", "% plugin_name hal_plugin_imx636_evk4"], 3, (1280, 720)),
    (["% evt 2.0", "% plugin_name hal_plugin_gen3_fx3"], 2, (640, 480)),
])
def test_header_variants(lines, version, size):
    fields, off = parse_header(("\n".join(lines) + "\n").encode() + b"\x00\x80")
    assert header_version(fields) == version
    assert header_geometry(fields) == size


def test_unsupported_encoding_and_unknown_size(tmp_path, caplog):
    with pytest.raises(InputError, match="EVT21"):
        header_version({"format": "EVT21;height=720;width=1280"})
    ev = make_events(500, width=1280, height=720)
    p = tmp_path / "nosize.raw"
    p.write_bytes(b"% evt 3.0\n% serial_number 1\n" + encode_evt3(ev))
    with caplog.at_level(logging.WARNING):
        src = RawFileSource(p)
    assert (src.width, src.height) == (1280, 720)
    assert "assuming 1280x720" in caplog.text
    assert np.array_equal(np.concatenate(list(src)), ev)


@pytest.mark.parametrize("version,legacy", [(3, False), (3, True), (2, False), (2, True)])
def test_raw_file_source_on_synthetic_files(tmp_path, version, legacy):
    w, h = (1280, 720) if version == 3 else (640, 480)
    ev = make_events(30_000, width=w, height=h, t0_us=5_000, duration_us=400_000, seed=version)
    p = tmp_path / "s.raw"
    p.write_bytes(raw_file_bytes(ev, version, w, h, legacy=legacy))
    src = RawFileSource(p, block_bytes=4096)   # many small blocks
    batches = list(src)
    assert len(batches) > 5
    assert src.format == f"evt{version}" and (src.width, src.height) == (w, h)
    assert np.array_equal(np.concatenate(batches), ev)


def test_backend_choice_without_metavision(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_metavision(name, *a, **k):
        if name.startswith("metavision"):
            raise ImportError(name)
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_metavision)
    with RawFileSource(EVT3_FILE) as src:  # auto: falls back to our decoder
        assert src.backend == "evfocus" and sum(len(b) for b in src) == 219_596
    with pytest.raises(InputError, match="Metavision SDK"):
        RawFileSource(EVT3_FILE, backend="metavision")
    with pytest.raises(InputError, match="unknown RAW backend"):
        RawFileSource(EVT3_FILE, backend="faery")
