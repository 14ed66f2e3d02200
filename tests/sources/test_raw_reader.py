"""The Prophesee RAW reader: headers, EVT3 vector words and time wraps, a garbage tail, files without
events, the Metavision SDK path."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import types

import numpy as np
import pytest
from conftest import EVT2_FILE, EVT3_FILE, make_events
from evt_reference import as_events, raw_file_bytes, ref_decode_evt3
from reader_support import _garbage_tail, _info_json, _late_said, _read_on

from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import evt, hdf5_file, npy_file, open_file
from evfocus_live.sources.raw_file import RawFileSource


W, H = 640, 480


@pytest.fixture
def _small_batches(monkeypatch):
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", 1000)
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 1000)


CD = np.dtype([("x", "<u2"), ("y", "<u2"), ("p", "<i2"), ("t", "<i8")])  # Metavision's EventCD


def _fake_sdk(monkeypatch, events: np.ndarray, fail_after: int | None = None):
    """``metavision_core.event_io.EventsIterator`` yielding ``events`` (from ``start_ts``) in
    batches of ``n_events`` as EventCD arrays; opened paths are recorded."""
    opened = []

    class EventsIterator:
        def __init__(self, input_path, start_ts=0, mode="delta_t", n_events=10_000, **kw):
            opened.append(input_path)
            self._ev, self._n = events[events["t"] >= start_ts], n_events

        def __iter__(self):
            for k, i in enumerate(range(0, len(self._ev), self._n)):
                if fail_after is not None and k >= fail_after:
                    raise RuntimeError("HAL: raw data corrupted\nat decoder.cpp:42")
                part = self._ev[i:i + self._n]
                a = np.empty(len(part), CD)
                for f in "txyp":
                    a[f] = part[f]
                yield a

    monkeypatch.setitem(sys.modules, "metavision_core", types.SimpleNamespace())
    monkeypatch.setitem(sys.modules, "metavision_core.event_io",
                        types.SimpleNamespace(EventsIterator=EventsIterator))
    return opened


@pytest.mark.usefixtures("_small_batches")
def test_metavision_path_reads_and_seeks_as_ours(monkeypatch, shared_data):
    path = shared_data / "prophesee_gen3_spinner_evt2.raw"
    with RawFileSource(path, backend="evfocus") as src:
        ours = np.concatenate(list(src))
    opened = _fake_sdk(monkeypatch, ours)
    with RawFileSource(path) as src:  # auto: the SDK when it imports
        assert src.backend == "metavision" and opened == [str(path)]
        assert np.array_equal(np.concatenate(list(src)), ours)
        src.seek(1_340_000)
        rest = np.concatenate(list(src))
    assert np.array_equal(rest, ours[ours["t"] >= 1_340_000])


@pytest.mark.usefixtures("_small_batches")
def test_metavision_path_drops_events_outside_the_header_geometry(monkeypatch, tmp_path, caplog):
    """A header that says a smaller sensor than the events use: our decoder drops the events
    outside and says so; the SDK path passed x >= width on."""
    ev = make_events(5000, 1280, 720, duration_us=100_000, seed=3)
    path = tmp_path / "s.raw"
    path.write_bytes(raw_file_bytes(ev, 3, 640, 480))  # header: 640x480
    inside = ev[(ev["x"] < 640) & (ev["y"] < 480)]
    with RawFileSource(path, backend="evfocus") as src:
        ours = np.concatenate(list(src))
        assert np.array_equal(ours, inside) and src.stats["dropped"] == len(ev) - len(inside)
    _fake_sdk(monkeypatch, ev)
    caplog.clear()
    with RawFileSource(path, backend="metavision") as src:
        got = np.concatenate(list(src))
        assert src.stats["dropped"] == len(ev) - len(inside)
    assert np.array_equal(got, inside)
    assert f"dropped {len(ev) - len(inside)} event(s) outside the 640x480 sensor" in caplog.text


@pytest.mark.usefixtures("_small_batches")
def test_metavision_path_failure_and_rotation_are_one_line(monkeypatch, tmp_path, shared_data):
    path = tmp_path / "s.raw"
    shutil.copyfile(shared_data / "prophesee_gen3_spinner_evt2.raw", path)
    with RawFileSource(path, backend="evfocus") as src:
        ours = np.concatenate(list(src))
    _fake_sdk(monkeypatch, ours, fail_after=2)
    with RawFileSource(path, backend="metavision") as src:
        got, err = _read_on(src)
    assert len(got) == 2 and err is not None
    assert str(err) == f"{path}: Metavision cannot decode it (RuntimeError)"
    opened = _fake_sdk(monkeypatch, ours)
    with RawFileSource(path, backend="metavision") as src:
        src.read()
        shutil.copyfile(shared_data / "prophesee_gen41_evk3_street_evt3.raw", tmp_path / "next.raw")
        os.replace(tmp_path / "next.raw", path)  # the SDK would open this one to seek
        with pytest.raises(InputError, match="names another file than the one opened"):
            src.seek(1_340_000)
    assert len(opened) == 1


@pytest.mark.usefixtures("_small_batches")
@pytest.mark.parametrize("version", [2, 3])
def test_raw_header_in_another_order_with_extra_keys(tmp_path, version):
    ev = make_events(5000, W, H, duration_us=200_000, seed=5)
    body = raw_file_bytes(ev, version, W, H)
    body = body[body.index(b"% end\n") + 6:]
    head = (f"% serial_number 00ca0009\n% geometry {W}x{H}\n% custom_key a b c\n"
            f"% format EVT{version};width={W};height={H}\n% date 2023-03-29 16:37:46\n"
            f"% evt {version}.0\n% end\n")
    path = tmp_path / "h.raw"
    path.write_bytes(head.encode() + body)
    with open_file(path, block_bytes=4096) as src:
        assert src.format == f"evt{version}" and (src.width, src.height) == (W, H)
        assert np.array_equal(np.concatenate(list(src)), ev)


@pytest.mark.usefixtures("_small_batches")
def test_raw_evt3_vector_words_and_time_wrap_at_every_block_end(tmp_path):
    """Hand-made EVT3: VECT_BASE_X + VECT_12 + VECT_8 runs and a 24-bit TIME_HIGH wrap, read
    in blocks of 64..75 words (every vector word lands at a block end once), agree with the
    reference decoder."""
    words = []
    for k in range(40):
        th = (0xFF0 + 3 * k) & 0xFFF  # wraps past 0xFFF after a few groups
        words += [0x8000 | th, 0x6000 | (k * 97 & 0xFFF), 0x0000 | (k * 11 % 480),
                  0x3000 | ((k & 1) << 11) | (k * 13 % 500), 0x4000 | (0xFFF if k % 3 else 0xA5A),
                  0x5000 | (0xFF if k % 2 else 0x81), 0x4000 | 0x001, 0x2000 | (1 << 11) | (k * 7 % 640)]
    body = np.array(words, "<u2").tobytes()
    ref = as_events(ref_decode_evt3(body))
    assert np.any(np.diff(ref["t"]) < -(1 << 23)) is np.False_ and ref["t"].max() > 1 << 24  # wrapped
    assert len(ref) > 600
    path = tmp_path / "v.raw"
    path.write_bytes(f"% evt 3.0\n% format EVT3;height={H};width={W}\n% end\n".encode() + body)
    for block_words in range(64, 76):
        with RawFileSource(path, block_bytes=2 * block_words) as src:
            assert np.array_equal(np.concatenate(list(src)), ref), block_words


@pytest.mark.usefixtures("_small_batches")
def test_raw_header_smaller_than_the_events_says_so_at_the_first_drop(tmp_path, caplog):
    """A header whose geometry is smaller than the events' drops events all along; it was said
    only at the end of the stream, which a looping replay never reaches."""
    ev = make_events(20_000, 1280, 720, duration_us=400_000, seed=6)
    path = tmp_path / "g.raw"
    path.write_bytes(raw_file_bytes(ev, 2, 640, 480))  # header: 640x480
    with RawFileSource(path, block_bytes=4096) as src:
        first = src.read()
        assert len(first) and "outside the 640x480 sensor (a wrong size in the header" in caplog.text
        assert len(caplog.records) == 1
        rest = list(src)
        total = src.stats["dropped"]
    inside = ev[(ev["x"] < 640) & (ev["y"] < 480)]
    assert np.array_equal(np.concatenate([first, *rest]), inside) and total == len(ev) - len(inside)
    assert len(caplog.records) == 2 and "more event(s)" in caplog.records[1].getMessage()


@pytest.mark.parametrize("version", [2, 3])
def test_raw_without_events_fails_at_open(tmp_path, version):
    """A RAW recording stopped before its first event (time words only) read as an empty
    stream: `evfocus reconstruct` wrote 0 frames and exit 0."""
    if version == 3:
        words = np.array([0x8005, 0x8006, 0x6003, 0x0010], "<u2")  # TIME_HIGH x2, TIME_LOW, ADDR_Y
    else:
        words = np.array([0x8 << 28 | 5, 0x8 << 28 | 6, 0x2 << 28], "<u4")  # TIME_HIGH x2, junk
    p = tmp_path / "stopped.raw"
    p.write_bytes(f"% evt {version}.0\n% format EVT{version};height=480;width=640\n% end\n".encode()
                  + words.tobytes())
    with pytest.raises(InputError, match="contains no events"):
        open_file(p)
    words[-1] = 0x2000 | 7 if version == 3 else 0x1 << 28 | 7 << 11 | 9  # now one event
    p.write_bytes(p.read_bytes()[:-words.itemsize] + words[-1:].tobytes())
    with open_file(p) as src:
        assert len(np.concatenate(list(src))) == 1


#: the real files' facts (../shared/data/SOURCES.md): events and (min t, max t)
REAL = {3: (EVT3_FILE, 219_596, (11_718_656, 11_727_457)), 2: (EVT2_FILE, 539_481, (1_317_888, 1_367_888))}


@pytest.mark.parametrize("version", [3, 2])
def test_real_files_never_jump_time_high(version):
    """The rule's premise, on the real files: TIME_HIGH moves by one tick at most, never back."""
    path, n, t_range = REAL[version]
    st = evt.new_state()
    with RawFileSource(path) as src:
        data = path.read_bytes()[src._data_off:]
        assert (src.time_range_us(), sum(len(b) for b in src)) == (t_range, n)
    evt.decode_all(data, version, state=st)
    assert st[evt.DAMAGED] == 0
    words = np.frombuffer(data[: len(data) // 4 * 4], "<u2" if version == 3 else "<u4").astype(np.int64)
    shift, tick = (12, 4096) if version == 3 else (28, 64)
    th = (words[(words >> shift) == 8] & ((1 << shift) - 1)) * (4096 if version == 3 else 64)
    assert set(np.diff(th).tolist()) <= {0, tick}


@pytest.mark.parametrize("version", [3, 2])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_garbage_tail_ends_the_stream_with_one_warning(tmp_path, capsys, caplog, version, seed):
    path = _garbage_tail(tmp_path, version, seed)
    _, n, (t0, t1) = REAL[version]
    with caplog.at_level(logging.WARNING):
        info = _info_json(capsys, path)
    # before: EVT2 ran to 2.2e12 µs (2.2 million s), EVT3 to 16.7 s, with thousands of garbage events
    assert info["t_first_us"] == t0 and info["t_last_us"] <= t1 + evt.MAX_TIME_HIGH_JUMP_US
    assert n <= info["events"] <= n + 2_000  # (garbage words before its first TIME_HIGH decode as events)
    said = [r.getMessage() for r in caplog.records if "TIME_HIGH" in r.getMessage()]
    assert len(said) == 1 and "keeping the events before it" in said[0]
    assert "at byte" in said[0]


def test_garbage_tail_replay_seek_and_time_range(tmp_path, caplog):
    """The viewer's time label and seek bar (time_range_us), a replay that loops (seek back)."""
    path = _garbage_tail(tmp_path, 3, seed=0)
    _, n, t_range = REAL[3]
    with caplog.at_level(logging.WARNING), open_file(path) as src:
        assert src.time_range_us() == t_range
        for _ in range(3):  # a replay that loops: the same events, one warning in all
            src.seek(t_range[0])
            assert sum(len(b) for b in src) == n
        src.seek(t_range[1] + 5_000_000)  # past the end: nothing (the garbage times are gone)
        assert src.read() is None
    assert sum("TIME_HIGH" in r.getMessage() for r in caplog.records) == 1


@pytest.mark.parametrize("version", [3, 2])
def test_decoder_stops_at_a_time_high_jump_and_stays_stopped(version):
    """Split anywhere, the stop holds across calls; a jump back (not a wrap) stops it too."""
    from evt_reference import encode_evt2, encode_evt3

    enc = encode_evt3 if version == 3 else encode_evt2
    ev = make_events(2_000, 640, 480, t0_us=100_000, duration_us=200_000, seed=3)
    late = make_events(50, 640, 480, t0_us=5_000_000, duration_us=1_000, seed=4)  # +4.7 s
    early = make_events(50, 640, 480, t0_us=0, duration_us=1_000, seed=5)       # back 0.3 s: kept
    for tail, stops in ((late, True), (early, False)):
        data = enc(ev) + enc(tail) + enc(ev)
        st = evt.new_state()
        got = evt.decode_all(data, version, width=640, height=480, state=st)
        if stops:  # at the jump forward (no TIME_HIGH steps on from it), else at the jump back
            if st[evt.DAMAGED] == 0:  # (session 22: a jump back that TIME_HIGH steps on from is a
                # clock reset, decoded on: the tail's TIME_HIGH stepped on, so did the second part's)
                assert np.array_equal(got, np.concatenate([ev, tail, ev])) and st[evt.CLOCK_BACKS] == 1
                continue
            assert np.array_equal(got[:len(ev)], ev) and st[evt.DAMAGED] == 1
            if len(got) == len(ev):
                assert st[evt.DAMAGE_JUMP_US] > 4_000_000
            else:
                assert np.array_equal(got[len(ev):], tail) and st[evt.DAMAGE_JUMP_US] < -4_000_000
        else:
            assert len(got) == 2 * len(ev) + len(tail) and st[evt.DAMAGED] == 0


def test_real_evt3_steps_back_stay_silent(tmp_path, tiny_ckpt, caplog):
    with caplog.at_level(logging.WARNING):
        assert main(["reconstruct", str(EVT3_FILE), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
                     "--device", "cpu", "--no-progress", "--window-ms", "1"]) == 0
    assert _late_said(caplog) == []


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize("block_bytes", [None, 4096])
def test_a_real_gap_over_a_second_is_kept_not_called_garbage(tmp_path, caplog, version, block_bytes):
    """An encoder that writes TIME_HIGH only where events are (a converted recording with a
    pause) jumps once and then steps on as a sensor does: data, not damage (garbage jumps
    again at its very next TIME_HIGH). The first rule stopped the file at such a gap."""
    from evt_reference import raw_file_bytes

    a = make_events(3000, 64, 48, duration_us=200_000, seed=3)
    b = make_events(3000, 64, 48, t0_us=3_200_000, duration_us=200_000, seed=4)  # 3 s later
    ev = np.concatenate([a, b])
    path = tmp_path / f"gap{version}.raw"
    path.write_bytes(raw_file_bytes(ev, version, width=64, height=48))
    kw = {} if block_bytes is None else dict(block_bytes=block_bytes)
    with caplog.at_level(logging.WARNING), open_file(path, **kw) as src:
        parts = []
        while (batch := src.read()) is not None:
            parts.append(batch)
    got = np.concatenate(parts)
    assert len(got) == len(ev) and np.array_equal(got["t"], ev["t"])
    assert not [r for r in caplog.records if "TIME_HIGH" in r.getMessage()]
