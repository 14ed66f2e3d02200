"""Event readers against files that change while read, and format edge cases.

* A file **rewritten in place** (same inode: a recorder restarting with ``O_TRUNC``,
  logrotate's ``copytruncate``) was read on from the old offset: another recording's events
  mixed into the first one's, in silence (RAW, npy, text), or a misleading "corrupt packet"
  (AEDAT4), or nothing said at all (HDF5). Now: one InputError after the events read so far.
* A file **still being written** (it grows while read) is read up to its size at opening and
  ends cleanly; the text reader read on into the appended rows (the last one half written).
* A text file that **shrank** said "rows need 4 columns"; now "shrank", as the others.
* A recording **rotated** (another file renamed over the path): the AEDAT4 reader's IMU and
  trigger reads (dv-processing opened the path again) read the other file's; a copy in
  progress was refused by dv. Now our own bounded parser reads them from the file opened.
* The **Metavision SDK** path of the RAW reader (mocked: the SDK is not on PyPI) passed
  events outside the header's sensor size on, where our decoder drops and counts them.
* An HDF5 file compressed with Prophesee's **ECF** filter, which is not installed, failed on
  the first read with "can't open directory (/usr/local/lib/plugin)"; now one line at
  opening that names ECF.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import types

import h5py
import numpy as np
import pytest

from conftest import make_events
from evt_reference import as_events, raw_file_bytes, ref_decode_evt3
from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import hdf5_file, npy_file, open_file
from evfocus_live.sources.aedat4_file import Aedat4FileSource
from evfocus_live.sources.raw_file import RawFileSource
from evfocus_live.writers import Aedat4Writer, Hdf5Writer

W, H = 640, 480
FORMATS = ["evt2", "evt3", "aedat4", "npy", "txt", "h5"]
SUFFIX = {"evt2": "raw", "evt3": "raw", "aedat4": "aedat4", "npy": "npy", "txt": "txt", "h5": "h5"}
#: small batches, so that a 20 k-event file takes many reads
OPEN_KW = {"evt2": dict(block_bytes=4096), "evt3": dict(block_bytes=4096), "txt": dict(block_bytes=8192)}


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch):
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", 1000)
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 1000)


def _text_rows(ev: np.ndarray) -> str:
    return "".join(f"{t / 1e6:.6f} {x} {y} {p}\n" for t, x, y, p in ev.tolist())


def _write(fmt: str, path, ev: np.ndarray) -> None:
    if fmt in ("evt2", "evt3"):
        path.write_bytes(raw_file_bytes(ev, int(fmt[-1]), W, H))
    elif fmt == "aedat4":
        with Aedat4Writer(path, W, H) as w:
            for k in range(0, len(ev), 500):
                w.write(ev[k:k + 500])
    elif fmt == "npy":
        np.save(path, ev)
    elif fmt == "h5":
        with Hdf5Writer(path, W, H) as w:
            w.write(ev)
    else:
        path.write_text(f"{W} {H}\n" + _text_rows(ev))


def _append(fmt: str, path, ev: np.ndarray) -> None:
    """More data at the end, as a recorder still writing would add it."""
    if fmt in ("evt2", "evt3"):
        data = raw_file_bytes(ev, int(fmt[-1]), W, H)
        data = data[data.index(b"% end\n") + 6:]
    elif fmt == "txt":
        data = _text_rows(ev).encode() + b"1.5"  # and a row half written
    else:
        data = b"\0" * 50_000
    with open(path, "ab") as f:
        f.write(data)


def _read_on(src) -> tuple[list[np.ndarray], InputError | None]:
    got = []
    try:
        while (b := src.read()) is not None:
            got.append(b)
    except InputError as exc:
        return got, exc
    return got, None


A = make_events(20_000, W, H, duration_us=2_000_000, seed=1)
B = make_events(30_000, W, H, t0_us=50_000_000, duration_us=2_000_000, seed=2)  # another recording


@pytest.mark.parametrize("fmt", FORMATS)
def test_file_rewritten_in_place_is_one_error_not_another_recordings_events(tmp_path, fmt):
    path, other = tmp_path / f"a.{SUFFIX[fmt]}", tmp_path / f"b.{SUFFIX[fmt]}"
    _write(fmt, path, A)
    _write(fmt, other, B)
    with open_file(path, **OPEN_KW.get(fmt, {})) as src:
        first = src.read()
        with open(path, "r+b") as f:  # same inode: truncated and written again
            f.truncate(0)
            f.write(other.read_bytes())
        got, err = _read_on(src)
    assert err is not None, "read on in silence"
    msg = str(err)
    assert msg.startswith(f"{path}: ") and "\n" not in msg
    why = msg[len(str(path)):]  # (the test's folder name says "rewritten" too)
    # (a read racing the truncate-then-write sees the file cut short: said as such)
    assert any(w in why for w in ("was rewritten while being read", "changed while being read",
                                  "shrank while being read")), msg
    ev = np.concatenate([first, *got])
    assert len(first) and int(ev["t"].max()) <= int(A["t"].max())  # none of B's events


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "h5"])
def test_file_still_being_written_reads_what_was_there_and_ends(tmp_path, fmt):
    """A recording in progress: what a writer appends after opening is not read (the text
    reader read on into it, its half-written last row dropped with a warning), and the end
    is clean: no error, no loop."""
    path = tmp_path / f"a.{SUFFIX[fmt]}"
    _write(fmt, path, A)
    with open_file(path, **OPEN_KW.get(fmt, {})) as src:
        first = src.read()
        _append(fmt, path, B[:3000])
        got, err = _read_on(src)
        assert err is None, err
        assert src.read() is None  # stays at the end
    ev = np.concatenate([first, *got])
    assert np.array_equal(ev, A)


def test_hdf5_file_changed_while_read_is_one_error(tmp_path):
    """HDF5 cannot read a file that changes under it (no SWMR): it went on with cached chunk
    indexes, or failed as 'filter returned failure during read'."""
    path = tmp_path / "a.h5"
    _write("h5", path, A)
    with open_file(path) as src:
        src.read()
        _append("h5", path, B)
        with pytest.raises(InputError, match=r"the file changed while being read"):
            _read_on(src)
            src.read()
    _write("h5", path, A)
    with open_file(path) as src:
        src.read()
        os.truncate(path, path.stat().st_size // 2)
        with pytest.raises(InputError, match=r"the file shrank while being read"):
            while src.read() is not None:
                pass


def test_text_file_shrinking_says_so(tmp_path):
    """It said "rows need 4 columns 't x y p' (line N has 1)" (the row cut by the truncation)."""
    path = tmp_path / "a.txt"
    _write("txt", path, A)
    with open_file(path, block_bytes=8192) as src:
        src.read()
        os.truncate(path, path.stat().st_size // 3 + 5)
        got, err = _read_on(src)
    assert err is not None and "shrank" in str(err), err


@pytest.mark.parametrize("fmt", ["evt3", "aedat4", "npy", "txt"])
def test_file_rotated_by_rename_is_read_to_its_end(tmp_path, fmt):
    """Another file renamed over the path: the reader keeps the file it opened."""
    path, other = tmp_path / f"a.{SUFFIX[fmt]}", tmp_path / f"b.{SUFFIX[fmt]}"
    _write(fmt, path, A)
    with open_file(path, **OPEN_KW.get(fmt, {})) as src:
        first = src.read()
        _write(fmt, other, B)
        os.replace(other, path)
        got, err = _read_on(src)
    assert err is None and np.array_equal(np.concatenate([first, *got]), A)


# --- AEDAT4 IMU / triggers (our parser; dv-processing before) -------------------------------

DAVIS = "davis346_pegboard_aestream.aedat4"


def _dv_imu_and_triggers(path):
    """The reference: dv-processing's reading of the IMU and trigger streams."""
    dv = pytest.importorskip("dv_processing")
    r = dv.io.MonoCameraRecording(str(path))
    imu = [(m.timestamp, m.accelerometerX, m.accelerometerY, m.accelerometerZ, m.gyroscopeX,
            m.gyroscopeY, m.gyroscopeZ) for _ in iter(lambda: r.isRunning("imu"), False)
           for m in (r.getNextImuBatch() or [])]
    r = dv.io.MonoCameraRecording(str(path))
    trig = [(m.timestamp, int(m.type)) for _ in iter(lambda: r.isRunning("triggers"), False)
            for m in (r.getNextTriggerBatch() or [])]
    return imu, trig


def test_aedat4_imu_and_triggers_match_dv_processing(shared_data):
    path = shared_data / DAVIS
    ref_imu, ref_trig = _dv_imu_and_triggers(path)
    with Aedat4FileSource(path) as src:
        imu, trig = src.read_imu(), src.read_triggers()
    assert len(imu) == 130 and len(trig) == 15
    assert imu.tolist() == ref_imu  # (float32 values: dv gives the same doubles)
    assert trig.tolist() == ref_trig


def test_aedat4_imu_and_triggers_of_a_rotated_recording_come_from_the_file_opened(tmp_path, shared_data):
    """dv-processing opened the path again: after a rotation it read the new file's IMU
    samples and triggers, shown beside the old file's events."""
    path = tmp_path / "rec.aedat4"
    shutil.copyfile(shared_data / DAVIS, path)
    with Aedat4FileSource(path) as src:
        data = (shared_data / DAVIS).read_bytes()
        (tmp_path / "next.aedat4").write_bytes(data[:len(data) // 3])  # another, shorter one
        os.replace(tmp_path / "next.aedat4", path)
        assert len(src.read_imu()) == 130 and len(src.read_triggers()) == 15
        assert sum(len(b) for b in src) == 117_667


def test_aedat4_imu_and_triggers_of_a_copy_in_progress(tmp_path, shared_data):
    """A recording still being copied (its header names an index not there yet) or written
    (header 'no index'): the IMU samples and triggers of the complete packets so far, as
    the events. dv-processing refused the first ("FileDataTable set but not present")."""
    data = (shared_data / DAVIS).read_bytes()
    with Aedat4FileSource(shared_data / DAVIS) as src:
        imu_all, trig_all = src.read_imu(), src.read_triggers()
    path = tmp_path / "rec.aedat4"
    path.write_bytes(data[:int(len(data) * 0.3)])
    with Aedat4FileSource(path) as src:
        imu, trig = src.read_imu(), src.read_triggers()
    assert 0 < len(imu) < 130 and 0 < len(trig) < 15
    assert np.array_equal(imu, imu_all[:len(imu)]) and np.array_equal(trig, trig_all[:len(trig)])


def test_aedat4_imu_of_a_shrunk_or_corrupt_file_is_one_line(tmp_path, shared_data):
    data = (shared_data / DAVIS).read_bytes()
    path = tmp_path / "rec.aedat4"
    path.write_bytes(data)
    with Aedat4FileSource(path) as src:
        src.read()
        os.truncate(path, len(data) // 2)
        with pytest.raises(InputError, match="shrank"):
            src.read_imu()
    with Aedat4FileSource(shared_data / DAVIS) as src:
        off, n = src._other_packets[2][2:4]  # the second IMU packet (flat offset, size pairs)
    bad = bytearray(data)
    bad[off:off + 4] = b"\xff" * 4  # its LZ4 frame's magic
    path.write_bytes(bytes(bad))
    with Aedat4FileSource(path) as src:
        assert sum(len(b) for b in src) == 117_667  # the events are not touched
        with pytest.raises(InputError, match=rf"corrupt AEDAT4 (imu )?packet at byte {off}"):
            src.read_imu()
        assert len(src.read_triggers()) == 15


# --- the Metavision SDK path of the RAW reader (mocked) ------------------------------------

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


# --- HDF5: Prophesee's ECF filter missing ---------------------------------------------------

def _ecf_file(tmp_path, layout: str):
    """An HDF5 file whose events dataset names filter 36559 (Prophesee's ECF): written with
    Blosc, then the filter id patched (no ECF encoder here)."""
    import hdf5plugin

    ev = make_events(3000, 346, 260)
    path = tmp_path / f"{layout}.h5"
    with h5py.File(path, "w") as f:
        if layout == "prophesee":
            a = np.empty(len(ev), CD)
            for k in "txyp":
                a[k] = ev[k]
            f.create_dataset("CD/events", data=a, chunks=(1000,), **hdf5plugin.Blosc())
        else:
            g = f.create_group("events")
            for k in "txyp":
                g.create_dataset(k, data=ev[k], chunks=(1000,),
                                 **(hdf5plugin.Blosc() if k == "t" else {}))
    data = bytearray(path.read_bytes())
    # the filter pipeline message: id, name length, flags, number of values, then the name
    hits = [m.start() for m in re.finditer(rb"\x01\x7d.{6}blosc", bytes(data), re.S)]
    assert len(hits) == 1
    data[hits[0]:hits[0] + 2] = (36559).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("layout", ["prophesee", "plain"])
def test_hdf5_with_the_ecf_filter_missing_is_one_clear_line(tmp_path, capsys, layout):
    path = _ecf_file(tmp_path, layout)
    with pytest.raises(InputError, match=r"compressed with Prophesee's ECF codec \(HDF5 filter 36559\)"):
        open_file(path)
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("evfocus info: error: ") and "ECF" in err[0], err
    assert "HDF5_PLUGIN_PATH" in err[0] and "plugin). Please" not in err[0]


def test_hdf5_prophesee_layout_uncompressed_reads(tmp_path):
    ev = make_events(3000, 346, 260)
    a = np.empty(len(ev), CD)
    for k in "txyp":
        a[k] = ev[k]
    path = tmp_path / "cd.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("CD/events", data=a, chunks=True)
    with open_file(path, width=346, height=260) as src:
        assert src.format == "hdf5-prophesee"
        assert np.array_equal(np.concatenate(list(src)), ev)


# --- format edge cases (regression: these read right) ---------------------------------------

EV = make_events(2000, 346, 260, t0_us=1_000_000, duration_us=500_000, seed=4)


@pytest.mark.parametrize("case", ["crlf", "comments", "us", "us_crlf", "csv_tabs", "bom_crlf"])
def test_text_variants(tmp_path, case):
    sec = [f"{t / 1e6:.6f} {x} {y} {p}" for t, x, y, p in EV.tolist()]
    us = [f"{t} {x} {y} {p}" for t, x, y, p in EV.tolist()]
    text = {
        "crlf": "346 260\r\n" + "\r\n".join(sec) + "\r\n",
        "comments": "346 260 # DAVIS\n# t x y p\n" + "\n".join(sec[:999]) + "\n# gap\n\n"
                    + "\n".join(sec[999:]) + "\n",
        "us": "346 260\n" + "\n".join(us) + "\n",
        "us_crlf": "346 260\r\n" + "\r\n".join(us) + "\r\n",
        "csv_tabs": "346,260\n" + "\n".join(r.replace(" ", "\t", 1).replace(" ", ",") for r in sec) + "\n",
        "bom_crlf": "\ufeff346 260\r\n" + "\r\n".join(sec) + "\r\n",
    }[case]
    path = tmp_path / "e.txt"
    path.write_bytes(text.encode())
    with open_file(path, block_bytes=4096) as src:
        assert (src.width, src.height) == (346, 260)
        assert np.array_equal(np.concatenate(list(src)), EV)


@pytest.mark.parametrize("order", ["txyp", "xytp", "ptyx"])
@pytest.mark.parametrize("tkind", ["<i8", "<u8", ">i8", "<f8"])
def test_npy_structured_any_field_order_and_t_type(tmp_path, order, tkind):
    coord = {"x": "<i2", "y": ">u4", "p": "i1"}
    dt = np.dtype([(k, tkind if k == "t" else coord[k]) for k in order])
    a = np.empty(len(EV), dt)
    a["t"] = EV["t"] / 1e6 if tkind == "<f8" else EV["t"]
    a["x"], a["y"], a["p"] = EV["x"], EV["y"], np.where(EV["p"] > 0, 1, -1)
    path = tmp_path / "e.npy"
    np.save(path, a)
    with open_file(path, width=346, height=260) as src:
        assert np.array_equal(np.concatenate(list(src)), EV)


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
