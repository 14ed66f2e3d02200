"""Every reader: exact counts/size/span on the real files, seek, detection by content, live no-camera paths."""

from __future__ import annotations

import logging
import sys
import time
from types import SimpleNamespace

import h5py
import numpy as np
import pytest

from conftest import DAVIS_FILE, EVT2_FILE, EVT3_FILE, REAL_FILES, make_events
from reader_support import read_with_dv
from evfocus_live.errors import DeviceError, InputError
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources import detect_format, open_file, open_source
from evfocus_live.sources.aedat4_file import Aedat4FileSource
from evfocus_live.writers import Aedat4Writer, Hdf5Writer


def _all(src):
    with src:
        return np.concatenate(list(src))


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_files_exact(name):
    facts = REAL_FILES[name]
    with open_file(facts["path"]) as src:
        assert src.format == facts["format"]
        assert (src.width, src.height) == (facts["width"], facts["height"])
        batches = list(src)
        assert src.time_range_us() == (facts["t_first_us"], facts["t_last_us"])
    ev = np.concatenate(batches)
    assert ev.dtype == EVENT_DTYPE
    assert len(ev) == facts["events"]
    assert ev["t"].min() == facts["t_first_us"] and ev["t"].max() == facts["t_last_us"]
    assert ev["x"].max() < facts["width"] and ev["y"].max() < facts["height"]
    assert all(len(b) <= 1 << 20 for b in batches)


def test_davis_sensor_and_extra_streams():
    with Aedat4FileSource(DAVIS_FILE) as src:
        assert src.sensor == "DAVIS346_00000104"
        assert src.extra_streams() == {"frames": 0, "imu": 0, "triggers": 0}
        frames = src.read_frames()
        assert len(frames) == 3 and frames[0][1].shape == (260, 346) and frames[0][1].dtype == np.uint8
        assert len(src.read_imu()) == 130
        assert len(src.read_triggers()) == 15


def test_aedat4_reader_equals_dv_processing():
    ref, _ = read_with_dv(DAVIS_FILE)
    assert np.array_equal(_all(open_file(DAVIS_FILE)), ref)


@pytest.mark.parametrize("path", [DAVIS_FILE, EVT3_FILE, EVT2_FILE], ids=["aedat4", "evt3", "evt2"])
@pytest.mark.parametrize("frac", [0.0, 0.37, 0.9, 1.5])
def test_seek_real_files(path, frac):
    full = _all(open_file(path))
    t0 = int(full["t"].min() + frac * (full["t"].max() - full["t"].min()))
    with open_file(path) as src:
        src.read()  # seek after some reading too
        src.seek(t0)
        after = list(src)
    got = np.concatenate(after) if after else np.empty(0, EVENT_DTYPE)
    assert np.array_equal(got, full[full["t"] >= t0])


def test_seek_dense_evt3_drops_early_events_of_the_whole_block(tmp_path):
    """A dense EVT3 block (vector words: ~10 events per word) decodes over several reads
    after a seek; none of them may hand back events from before the seek time."""
    from evt_reference import raw_file_bytes
    rows = []
    for t in range(1000, 4000):            # 120 events per µs: 8 rows x 15-px runs
        for r in range(8):
            y = (t * 8 + r) % 720
            for x in range(15):
                rows.append((t, 100 + x, y, 1))
    ev = np.array(rows, dtype=np.int64)
    events = np.empty(len(ev), EVENT_DTYPE)
    events["t"], events["x"], events["y"], events["p"] = ev.T
    path = tmp_path / "dense.raw"
    path.write_bytes(raw_file_bytes(events, 3))
    for t0 in (1500, 2500, 3500):
        with open_file(path, backend="evfocus") as src:  # fresh: output sized for 1 event/word
            src.seek(t0)
            got = np.concatenate(list(src))
        assert int((got["t"] < t0).sum()) == 0, t0
        assert np.array_equal(got, events[events["t"] >= t0]), t0


@pytest.fixture
def synth_files(tmp_path):
    ev = make_events(60_000, t0_us=1_000, duration_us=3_000_000, seed=11)
    paths = {}
    paths["npy"] = tmp_path / "e.npy"
    np.save(paths["npy"], ev)
    paths["hdf5"] = tmp_path / "e.h5"
    with Hdf5Writer(paths["hdf5"], 346, 260, "synthetic") as w:
        w.write(ev)
    paths["text"] = tmp_path / "e.txt"
    rows = np.column_stack([ev["t"] / 1e6, ev["x"], ev["y"], ev["p"]])
    np.savetxt(paths["text"], rows, fmt=["%.6f", "%d", "%d", "%d"], header="346 260", comments="")
    paths["aedat4"] = tmp_path / "e.aedat4"
    with Aedat4Writer(paths["aedat4"], 346, 260, max_packet_events=5000) as w:
        w.write(ev)
    return ev, paths


@pytest.mark.parametrize("fmt", ["npy", "hdf5", "text", "aedat4"])
def test_synthetic_formats_roundtrip_and_seek(synth_files, fmt):
    ev, paths = synth_files
    name, _ = detect_format(paths[fmt])
    assert name == fmt
    kw = {"width": 346, "height": 260} if fmt == "npy" else {}
    with open_file(paths[fmt], **kw) as src:
        assert (src.width, src.height) == (346, 260)
        assert np.array_equal(np.concatenate(list(src)), ev)
        assert src.time_range_us() == (int(ev["t"].min()), int(ev["t"].max()))
        for t0 in (int(ev["t"][12_345]), 2_000_000, 10_000_000):
            src.seek(t0)
            rest = list(src)
            got = np.concatenate(rest) if rest else np.empty(0, EVENT_DTYPE)
            assert np.array_equal(got, ev[ev["t"] >= t0]), t0


def test_npy_variants(tmp_path):
    ev = make_events(5000, seed=2)
    # E2VID-ish names, float seconds, -1/+1 polarity
    alt = np.empty(len(ev), dtype=[("timestamp", "f8"), ("xs", "i2"), ("ys", "i2"), ("polarity", "i1")])
    alt["timestamp"], alt["xs"], alt["ys"], alt["polarity"] = ev["t"] / 1e6, ev["x"], ev["y"], ev["p"] * 2 - 1
    np.save(tmp_path / "a.npy", alt)
    assert np.array_equal(_all(open_file(tmp_path / "a.npy", width=346, height=260)), ev)
    # plain N x 4 integer array (t µs, x, y, p); size inferred from the data
    np.save(tmp_path / "b.npy", np.column_stack([ev["t"], ev["x"], ev["y"], ev["p"]]))
    with open_file(tmp_path / "b.npy") as src:
        assert (src.width, src.height) == (int(ev["x"].max()) + 1, int(ev["y"].max()) + 1)
        assert np.array_equal(np.concatenate(list(src)), ev)
    np.save(tmp_path / "c.npy", np.zeros((10, 3)))
    with pytest.raises(InputError, match="N x 4"):
        open_file(tmp_path / "c.npy")


def test_hdf5_e2vid_layout(tmp_path):
    ev = make_events(4000, seed=3)
    with h5py.File(tmp_path / "e2vid.h5", "w") as f:
        f.attrs["sensor_resolution"] = (260, 346)
        f["events/ts"] = ev["t"] / 1e6
        f["events/xs"] = ev["x"]
        f["events/ys"] = ev["y"]
        f["events/ps"] = ev["p"].astype(bool)
    with open_file(tmp_path / "e2vid.h5") as src:
        assert src.format == "hdf5-e2vid" and (src.width, src.height) == (346, 260)
        assert np.array_equal(np.concatenate(list(src)), ev)
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["foo"] = np.arange(3)
    with pytest.raises(InputError, match="no event datasets"):
        open_file(tmp_path / "other.h5")


def test_text_microseconds_csv_and_truncated_last_line(tmp_path, caplog):
    ev = make_events(3000, seed=4)
    lines = "\n".join(f"{t},{x},{y},{p}" for t, x, y, p in ev.tolist())
    p = tmp_path / "us.csv"
    p.write_text("346 260\n" + lines + "\n")
    assert np.array_equal(_all(open_file(p)), ev)  # integer t: µs
    p.write_text("346 260\n" + lines + "\n" + "0.5 12")
    with caplog.at_level(logging.WARNING):
        got = _all(open_file(p))
    assert np.array_equal(got, ev) and "truncated" in caplog.text
    rows = lines.split("\n")
    p.write_text("346 260\n" + "\n".join(rows[:2000] + ["1 2 bogus 4"] + rows[2000:]))
    with pytest.raises(InputError, match="malformed event row on line 2002: 'bogus' is not"):
        _all(open_file(p))  # past the sniffed head: found while parsing
    p.write_text("346 260\n" + lines.replace("\n", "\nbogus row here\n", 1))
    with pytest.raises(InputError, match="malformed event row on line 3: 3 columns"):
        open_file(p)  # in the head too: the line is named


def _seconds_rows(t_s, rng):
    return "".join(f"{t:.9f} {x} {y} {q}\n" for t, x, y, q in
                   zip(t_s, rng.integers(0, 346, len(t_s)), rng.integers(0, 260, len(t_s)),
                       rng.integers(0, 2, len(t_s))))


@pytest.mark.parametrize("first", ["time_range", "read"])
def test_text_unit_decided_once_whatever_is_called_first(tmp_path, first):
    """Seconds written as 0.000000000 for the first 100+ KiB look like integers: the unit
    must not depend on whether the range (head sample) or reading (a block) decides it."""
    rng = np.random.default_rng(3)
    t_s = np.concatenate([np.zeros(5000), np.sort(rng.random(20_000)) * 2.0])
    p = tmp_path / "sec_t0.txt"
    p.write_text("346 260\n" + _seconds_rows(t_s, rng))
    expected = (0, int(np.rint(t_s.max() * 1e6)))
    with open_file(p) as src:
        if first == "time_range":
            assert src.time_range_us() == expected
        ev = np.concatenate(list(src))
        assert (int(ev["t"].min()), int(ev["t"].max())) == expected
        assert src.time_range_us() == expected
        src.seek(1_000_000)
        assert np.array_equal(np.concatenate(list(src)), ev[ev["t"] >= 1_000_000])


def test_text_error_names_the_true_line(tmp_path):
    """The line counted in the file (header, blank and comment lines included), also deep in
    a file read in blocks and in the tail sample that time_range_us() reads first."""
    from evfocus_live.sources.text_file import TextFileSource

    good = [f"0.{i:06d} 1 2 1" for i in range(1, 20_000)]
    p = tmp_path / "bad.txt"
    p.write_text("346 260\n" + "\n".join(good[:30]) + "\n\n# c\n0.5 1 zz 1\n0.6 1 2 1\n")
    with pytest.raises(InputError, match="on line 34: 'zz' is not a number"):
        _all(TextFileSource(p))
    body = good[:9000] + ["", "# a comment", "   "] + good[9000:12_000] + ["0.7 1 2"] + good[12_000:]
    p.write_text("346 260\n" + "\n".join(body) + "\n")   # 3-column row on line 12_005
    with pytest.raises(InputError, match="on line 12005: 3 columns where the rows before have 4"):
        _all(TextFileSource(p, block_bytes=4096))
    body = good[:19_990] + ["0.9 1 2 x1"] + good[19_990:]
    p.write_text("346 260\n" + "\n".join(body) + "\n")   # in the tail sample, line 19_992
    with pytest.raises(InputError, match="on line 19992: 'x1' is not a number"):
        TextFileSource(p).time_range_us()


def test_text_extra_columns_warn_once(tmp_path, caplog):
    """A fifth column: read the first four, and say so, once (a comma in it: maybe a decimal
    comma that split t in two; one in t alone is read as a decimal comma, test_text_dialects)."""
    p = tmp_path / "comma.txt"
    p.write_text("346 260\n" + "".join(f"0.{i:06d},5 10 20 1\n" for i in range(1, 3000)))
    with caplog.at_level(logging.WARNING):
        with open_file(p) as src:
            src.time_range_us()
            list(src)
    warnings = [r.getMessage() for r in caplog.records if r.name.endswith("text_file")]
    assert len(warnings) == 1 and "5 columns" in warnings[0] and "decimal" in warnings[0], warnings
    caplog.clear()
    rows = "".join(f"0.{i:06d}0000000000001 10 20 1\n" for i in range(1, 3000))
    p.write_text("346 260\n" + rows)
    with caplog.at_level(logging.WARNING):  # 19 digits: the loadtxt path, exactly 4 columns
        assert len(_all(open_file(p))) == 2999
    assert not [r for r in caplog.records if r.name.endswith("text_file")]


@pytest.mark.parametrize("style", ["seconds", "exponent", "tabs_crlf_comments", "long_digits", "five_columns"])
def test_text_fast_parser_equals_loadtxt(tmp_path, style):
    """The numba row parser gives numpy's doubles exactly; rows it does not take (17+
    significant digits, a fifth column) go to np.loadtxt and read the same."""
    import io

    from evfocus_live.sources.text_file import TextFileSource

    rng = np.random.default_rng(7)
    n = 3000
    t_s = np.cumsum(rng.random(n) * 1e-4)
    x, y, pol = rng.integers(0, 346, n), rng.integers(0, 260, n), rng.integers(0, 2, n)
    fmt = {"seconds": "{:.9f} {} {} {}\n", "exponent": "{:.6e} {} {} {}\n",
           "tabs_crlf_comments": "{:.9f}\t{}\t{}\t{}\r\n", "long_digits": "{!r} {} {} {}\n",
           "five_columns": "{:.9f} {} {} {} 0\n"}[style]
    body = "".join(fmt.format(float(a) + (1e-17 if style == "long_digits" else 0.0), b, c, d)
                   for a, b, c, d in zip(t_s, x, y, pol))
    if style == "tabs_crlf_comments":
        body = "# a comment\r\n\r\n" + body
    path = tmp_path / f"{style}.txt"
    path.write_text("346 260\n" + body, newline="")
    from evfocus_live.sources.text_file import _POW10, _parse_rows

    fast = _parse_rows(np.frombuffer(body.encode(), np.uint8), 4, np.empty((n + 3, 4)), _POW10)
    if style in ("seconds", "exponent", "tabs_crlf_comments"):
        assert fast == n  # the numba path took the whole block
    elif style == "five_columns":
        assert fast == -1  # handed to np.loadtxt
    src = TextFileSource(path)
    got = src._parse(body.encode(), 2)
    ref = np.loadtxt(io.StringIO(body), ndmin=2, comments="#")
    assert np.array_equal(got[:, :4], ref[:, :4])
    ev = _all(open_file(path))
    assert len(ev) == n and np.array_equal(ev["x"], x) and np.array_equal(ev["p"], pol)


def test_out_of_order_timestamps_pass_through(tmp_path):
    ev = make_events(2000, seed=5)
    shuffled = ev[np.random.default_rng(0).permutation(len(ev))]
    # a jump of hours that the file goes on from (one event hours away and back is a corrupt
    # time, left out: tests/sources/test_column_corrupt_times.py)
    shuffled["t"][1000:] += 3 * 3600 * 1_000_000
    np.save(tmp_path / "s.npy", shuffled)
    got = _all(open_file(tmp_path / "s.npy", width=346, height=260))
    assert np.array_equal(got, shuffled)  # unchanged order and values


def test_out_of_sensor_events_dropped(tmp_path, caplog):
    ev = make_events(1000, seed=6)
    ev["x"][:10] = 1000
    np.save(tmp_path / "o.npy", ev)
    with caplog.at_level(logging.WARNING):
        got = _all(open_file(tmp_path / "o.npy", width=346, height=260))
    assert len(got) == 990 and "dropped 10" in caplog.text


def test_detection_by_content_not_extension(tmp_path):
    renamed = tmp_path / "spinner.dat"
    renamed.write_bytes(EVT2_FILE.read_bytes())
    name, cls = detect_format(renamed)
    assert cls.__name__ == "RawFileSource" and name == "evt2"
    assert detect_format(EVT3_FILE)[0] == "evt3"
    with open_file(renamed) as src:
        assert src.format == "evt2"
    aedat_as_bin = tmp_path / "rec.bin"
    aedat_as_bin.write_bytes(DAVIS_FILE.read_bytes())
    assert detect_format(aedat_as_bin)[0] == "aedat4"
    junk = tmp_path / "junk.aedat4"
    junk.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(InputError, match="not a valid aedat4"):
        detect_format(junk)
    unknown = tmp_path / "junk.xyz"
    unknown.write_bytes(b"hello world\n" * 10)
    with pytest.raises(InputError, match="unknown event file format"):
        detect_format(unknown)


# --- live sources: the no-camera paths ----------------------------------------------

def test_dv_camera_none_attached(monkeypatch):
    import dv_processing as dv
    monkeypatch.setattr(dv.io.camera, "discover", lambda: [])
    with pytest.raises(DeviceError, match="no iniVation camera found"):
        open_source("davis346")


def test_dv_camera_wrong_model_names_what_was_found(monkeypatch):
    import dv_processing as dv
    fake = SimpleNamespace(cameraModel="CameraModel.DVXPLORER", deviceType="", serialNumber="DXA00093")
    monkeypatch.setattr(dv.io.camera, "discover", lambda: [fake])
    with pytest.raises(DeviceError, match="found: DVXPLORER DXA00093"):
        open_source("davis346")


def test_dv_camera_read_empty_then_disconnect():
    from evfocus_live.sources.dv_camera import DvCameraSource

    class FakeCam:
        running = True

        def isRunning(self):
            return self.running

        def getNextEventBatch(self):
            return None

    src = DvCameraSource.__new__(DvCameraSource)
    src._cam, src.sensor, src.poll_timeout_s = FakeCam(), "DAVIS346_fake", 0.02
    t = time.monotonic()
    batch = src.read()
    assert len(batch) == 0 and batch.dtype == EVENT_DTYPE and time.monotonic() - t < 1.0
    src._cam.running = False
    with pytest.raises(DeviceError, match="disconnected"):
        src.read()


def test_prophesee_without_driver_and_autodetect(monkeypatch):
    import dv_processing as dv

    from evfocus_live.sources import prophesee_camera
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: None)
    monkeypatch.setattr(dv.io.camera, "discover", lambda: [])
    with pytest.raises(DeviceError, match="neuromorphic-drivers"):
        open_source("prophesee")
    with pytest.raises(DeviceError, match="tried iniVation: .*Prophesee: "):
        open_source("auto")


def test_aedat4_seek_index_from_file_matches_decoding(tmp_path):
    for path in (DAVIS_FILE, tmp_path / "ours.aedat4"):
        if path != DAVIS_FILE:
            with Aedat4Writer(path, 346, 260, max_packet_events=3000) as w:
                w.write(make_events(20_000, seed=8))
        with Aedat4FileSource(path) as src:
            from_index = src._index_time_ranges()   # the FTAB table dv (or we) wrote
            assert from_index is not None
            src._dtp = -1                          # force the decode-everything path
            assert np.array_equal(from_index, src.packet_time_ranges())


@pytest.mark.parametrize("fmt", ["hdf5", "npy"])
def test_many_small_batches_and_seek(synth_files, monkeypatch, fmt):
    """Batch boundaries (and prefetching across them) do not change the stream."""
    from evfocus_live.sources import hdf5_file, npy_file
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 7_000)
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", 7_000)
    ev, paths = synth_files
    kw = {"width": 346, "height": 260} if fmt == "npy" else {}
    with open_file(paths[fmt], **kw) as src:
        batches = list(src)
        assert len(batches) == -(-len(ev) // 7_000)
        assert np.array_equal(np.concatenate(batches), ev)
        for i in (0, 6_999, 7_000, 31_234, len(ev) - 1):
            t0 = int(ev["t"][i])
            src.seek(t0)
            assert np.array_equal(np.concatenate(list(src)), ev[ev["t"] >= t0]), i


def test_dv_camera_converts_a_real_dv_batch():
    import dv_processing as dv

    from evfocus_live.sources.dv_camera import DvCameraSource
    ev = make_events(500, seed=13)
    store = dv.EventStore()
    for t, x, y, p in ev.tolist():
        store.push_back(t, x, y, bool(p))

    class FakeCam:
        def __init__(self):
            self.batches = [store]

        def isRunning(self):
            return True

        def getNextEventBatch(self):
            return self.batches.pop() if self.batches else None

    src = DvCameraSource.__new__(DvCameraSource)
    src._cam, src.sensor, src.poll_timeout_s = FakeCam(), "DAVIS346_fake", 0.01
    src.width, src.height = 346, 260  # (set by __init__ from the camera; events outside are dropped)
    assert np.array_equal(src.read(), ev)
    assert len(src.read()) == 0


class _FakeNdDevice:
    def __init__(self, packets):
        self.packets = packets

    def properties(self):
        return SimpleNamespace(width=1280, height=720)

    def __iter__(self):
        for p in self.packets:
            yield None, p


def _nd_module(devices, packets):
    return SimpleNamespace(list_devices=lambda: devices, open=lambda serial=None: _FakeNdDevice(packets))


def test_prophesee_neuromorphic_drivers_paths(monkeypatch):
    from evfocus_live.sources import prophesee_camera
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers", _nd_module([], []))
    with pytest.raises(DeviceError, match="no Prophesee camera found"):
        open_source("prophesee")
    ev = make_events(300, width=1280, height=720, seed=14)
    nd_ev = np.empty(len(ev), dtype=[("t", "<u8"), ("x", "<u2"), ("y", "<u2"), ("on", "?")])
    nd_ev["t"], nd_ev["x"], nd_ev["y"], nd_ev["on"] = ev["t"], ev["x"], ev["y"], ev["p"] > 0
    dev = SimpleNamespace(name="prophesee_evk4", serial="00050423")
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers",
                        _nd_module([dev], [{"dvs_events": nd_ev[:100]}, {"dvs_events": nd_ev[100:]}]))
    with open_source("prophesee", poll_timeout_s=0.5) as cam:
        assert (cam.width, cam.height) == (1280, 720) and "00050423" in cam.sensor
        got = [cam.read(), cam.read()]
        assert np.array_equal(np.concatenate(got), ev)
        with pytest.raises(DeviceError, match="stream ended"):  # the device iterator stopped
            for _ in range(50):
                cam.read()


def test_prophesee_overflow_is_counted_and_close_stops_the_reader(monkeypatch):
    """Batches dropped for a slow reader reach the 'dropped' readout (they were only a batch
    count nobody showed), and close() stops the reader thread that holds the driver."""
    import itertools
    import threading

    from evfocus_live.sources import prophesee_camera
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    ev = make_events(10, width=1280, height=720, seed=16)
    nd_ev = np.empty(len(ev), dtype=[("t", "<u8"), ("x", "<u2"), ("y", "<u2"), ("on", "?")])
    nd_ev["t"], nd_ev["x"], nd_ev["y"], nd_ev["on"] = ev["t"], ev["x"], ev["y"], ev["p"] > 0
    burst = threading.Event()

    class Device(_FakeNdDevice):
        def __iter__(self):  # 300 packets at once (the queue holds 256), then one per 10 ms
            for k in itertools.count():
                if k == 300:
                    burst.set()
                if k >= 300:
                    time.sleep(0.01)
                yield None, {"dvs_events": nd_ev}

    dev = SimpleNamespace(name="prophesee_evk4", serial="1")
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers",
                        SimpleNamespace(list_devices=lambda: [dev], open=lambda serial=None: Device([])))
    cam = open_source("prophesee")
    try:
        assert burst.wait(10)
        assert cam.dropped_events == 10 * cam.dropped_batches and cam.dropped_batches >= 300 - 256
    finally:
        cam.close()
    assert not cam._thread.is_alive()


def test_prophesee_metavision_path(monkeypatch):
    from evfocus_live.sources import prophesee_camera
    ev = make_events(200, width=640, height=480, seed=15)
    mv = np.empty(len(ev), dtype=[("x", "<u2"), ("y", "<u2"), ("p", "<i2"), ("t", "<i8")])
    mv["x"], mv["y"], mv["p"], mv["t"] = ev["x"], ev["y"], ev["p"], ev["t"]

    class EventsIterator:
        def __init__(self, input_path, **kw):
            if input_path == "missing":
                raise RuntimeError("Camera not found")

        def get_size(self):
            return 480, 640

        def __iter__(self):
            yield mv

    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "metavision")
    monkeypatch.setitem(sys.modules, "metavision_core", SimpleNamespace())
    monkeypatch.setitem(sys.modules, "metavision_core.event_io", SimpleNamespace(EventsIterator=EventsIterator))
    with pytest.raises(DeviceError, match="Camera not found"):
        open_source("prophesee", serial="missing")
    with open_source("prophesee", poll_timeout_s=0.5) as cam:
        assert (cam.width, cam.height) == (640, 480)
        assert np.array_equal(cam.read(), ev)


def test_time_range_is_found_once(tmp_path):
    """The viewer's clock and the loop ask for the range again and again: a file is scanned
    once (HDF5, npy) or indexed once (RAW, also when two threads ask at the same time)."""
    import threading

    ev = make_events(30_000, 64, 48, duration_us=300_000, seed=5)
    np.save(tmp_path / "e.npy", ev)
    with Hdf5Writer(tmp_path / "e.h5", 64, 48) as w:
        w.write(ev)
    expected = (int(ev["t"].min()), int(ev["t"].max()))
    for name in ("e.npy", "e.h5"):
        src = open_file(str(tmp_path / name))
        calls = []
        real = src._t_us
        src._t_us = lambda *a: (calls.append(a), real(*a))[1]
        assert src.time_range_us() == expected and src.time_range_us() == expected
        assert len(calls) == 1, name
        src.close()
    raw = open_file(str(EVT3_FILE))
    scans = []
    real_scan = raw._scan_blocks
    raw._scan_blocks = lambda: (scans.append(1), time.sleep(0.2), real_scan())[2]
    out = []
    threads = [threading.Thread(target=lambda: out.append(raw.time_range_us())) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(scans) == 1 and len(set(out)) == 1 and out[0] is not None
    raw.close()
