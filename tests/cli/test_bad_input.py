"""Bad input to ``evfocus info``: one line on stderr, exit code 2, fast, never a traceback.

Policy per format for truncated files: AEDAT4 and RAW cut inside the data yield the
events before the cut (exit 0, with a warning for AEDAT4 and for RAW cut mid-word);
cut inside the header, or leaving no events, they fail with exit 2. HDF5 and .npy
cut anywhere fail (their containers cannot be read partially); text drops a cut last line.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import DAVIS_FILE, EVT2_FILE, EVT3_FILE, REAL_FILES, make_events
from evfocus_live.cli import main
from evfocus_live.writers import Hdf5Writer


def _fails(capsys, path, match=None):
    t = time.monotonic()
    rc = main(["info", str(path)])
    out, err = capsys.readouterr()
    assert rc == 2, out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("evfocus info: error: "), err
    assert "Traceback" not in err
    assert time.monotonic() - t < 10
    if match:
        assert match in lines[0], lines[0]
    return lines[0]


def _events(capsys, path):
    rc = main(["info", str(path), "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)["events"]


@pytest.mark.parametrize("ext", [".aedat4", ".raw", ".h5", ".npy", ".txt", ".csv", ".xyz"])
def test_empty_file(tmp_path, capsys, ext):
    p = tmp_path / f"empty{ext}"
    p.write_bytes(b"")
    _fails(capsys, p, "file is empty")


@pytest.mark.parametrize("ext", [".aedat4", ".raw", ".h5", ".npy", ".txt"])
def test_random_bytes_with_valid_extension(tmp_path, capsys, ext):
    p = tmp_path / f"random{ext}"
    p.write_bytes(np.random.default_rng(1).bytes(20_000))
    _fails(capsys, p, "not a valid")


def test_directory_and_missing_path(tmp_path, capsys):
    _fails(capsys, tmp_path, "is a directory")
    _fails(capsys, tmp_path / "nope.aedat4", "no such file")


def test_pipe_and_device_refused_before_opening(tmp_path, capsys):
    """open() on a FIFO blocks until a writer comes, and sniffing would eat a pipe's head:
    refused by file type first. A subprocess with a timeout, so a regression cannot hang."""
    import os
    fifo = tmp_path / "fifo.raw"
    os.mkfifo(fifo)
    try:
        r = subprocess.run([sys.executable, "-m", "evfocus_live", "-q", "info", str(fifo)],
                           capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("evfocus info blocked opening a FIFO")
    assert r.returncode == 2 and r.stderr.strip() == (
        f"evfocus info: error: {fifo}: not a regular file (a pipe); save the stream to a file first")
    _fails(capsys, "/dev/null", "/dev/null: not a regular file (a device)")
    _fails(capsys, "/dev/zero", "/dev/zero: not a regular file (a device)")


def test_raw_header_without_data(tmp_path, capsys):
    p = tmp_path / "header_only.raw"
    p.write_bytes(b"% evt 3.0\n% format EVT3;height=720;width=1280\n% end\n")
    _fails(capsys, p, "no event data")
    p.write_bytes(b"% evt 3.0\n% plugin_name hal_plugin_gen41_evk3\n")  # legacy, no end
    _fails(capsys, p, "no event data")


@pytest.mark.parametrize("path", [DAVIS_FILE, EVT3_FILE, EVT2_FILE], ids=["aedat4", "evt3", "evt2"])
@pytest.mark.parametrize("cut", [5, 40, 120])
def test_cut_inside_header_fails(tmp_path, capsys, path, cut):
    p = tmp_path / ("cut" + path.suffix)
    p.write_bytes(path.read_bytes()[:cut])
    _fails(capsys, p)


@pytest.mark.parametrize("name", ["davis346", "evt3", "evt2"])
@pytest.mark.parametrize("frac", [0.3, 0.61, 0.97])
def test_cut_inside_data_yields_events_before_the_cut(tmp_path, capsys, caplog, name, frac):
    facts = REAL_FILES[name]
    data = facts["path"].read_bytes()
    p = tmp_path / ("cut" + facts["path"].suffix)
    cut = int(len(data) * frac) | 1          # odd: mid-word for RAW
    p.write_bytes(data[:cut])
    n = _events(capsys, p)
    assert 0 < n < facts["events"]
    assert "truncated" in caplog.text


def test_aedat4_cut_before_its_first_event_packet_is_one_line(tmp_path, capsys, caplog):
    p = tmp_path / "cut.aedat4"
    p.write_bytes(DAVIS_FILE.read_bytes()[:3333])  # the header and a few bytes of a packet
    _fails(capsys, p, "before its first complete event packet")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text  # once 2 warnings first


def test_aedat4_cut_inside_its_index_keeps_all_events(tmp_path, capsys):
    data = DAVIS_FILE.read_bytes()
    p = tmp_path / "cut.aedat4"
    p.write_bytes(data[:len(data) - 100])  # only the packet index (at the end) is damaged;
    assert _events(capsys, p) == REAL_FILES["davis346"]["events"]  # we walk packets instead


@pytest.mark.parametrize("size_field", [0x7FFFFF00, 3])
def test_aedat4_corrupt_packet_size_in_a_whole_file_is_an_error(tmp_path, capsys, size_field):
    """With the packet index intact the file is whole: a packet size running past the
    index (or leaving a stub before it) is corruption, not a cut file to read half of."""
    import struct

    from evfocus_live.sources.aedat4_file import Aedat4FileSource
    with Aedat4FileSource(DAVIS_FILE) as src:
        size_at = int(src._offs[len(src._offs) // 2]) - 4   # a packet mid-file: its size
    data = bytearray(DAVIS_FILE.read_bytes())
    struct.pack_into("<i", data, size_at, size_field)
    p = tmp_path / "midbad.aedat4"
    p.write_bytes(bytes(data))
    _fails(capsys, p, "corrupt AEDAT4 packet")


def test_cut_hdf5_and_npy_fail(tmp_path, capsys):
    ev = make_events(20_000)
    h5 = tmp_path / "e.h5"
    with Hdf5Writer(h5, 346, 260) as w:
        w.write(ev)
    np.save(tmp_path / "e.npy", ev)
    for src in (h5, tmp_path / "e.npy"):
        data = src.read_bytes()
        for frac in (0.1, 0.5, 0.9):
            p = tmp_path / f"cut_{frac}{src.suffix}"
            p.write_bytes(data[:int(len(data) * frac)])
            _fails(capsys, p)


def test_text_without_events_and_bad_size(tmp_path, capsys):
    p = tmp_path / "e.txt"
    p.write_text("346 260\n")
    _fails(capsys, p, "contains no events")
    p.write_text("0 260\n0.1 1 2 1\n")
    _fails(capsys, p, "invalid sensor size")


def test_npy_pickled_object_refused(tmp_path, capsys):
    p = tmp_path / "obj.npy"
    np.save(p, np.array([{"t": 1}], dtype=object), allow_pickle=True)
    _fails(capsys, p, "not a readable .npy")


@pytest.mark.parametrize("case", ["missing", "random", "truncated_header"])
def test_end_to_end_subprocess(tmp_path, case):
    p = tmp_path / "in.aedat4"
    if case == "random":
        p.write_bytes(np.random.default_rng(2).bytes(3000))
    elif case == "truncated_header":
        p = tmp_path / "in.raw"
        p.write_bytes(EVT3_FILE.read_bytes()[:30])
    t = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "evfocus_live", "-q", "info", str(p)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("evfocus info: error: ")]
    assert len(errors) == 1 and r.stdout == ""
    assert time.monotonic() - t < 60


# --- odd column data: non-finite / out-of-range timestamps, byte order, dtypes ----------

def _nx4(n=2000, t_dtype=np.float64, seconds=True):
    """An N x 4 (t, x, y, p) array of valid events, t in seconds (float) or µs (int)."""
    ev = make_events(n)
    a = np.stack([ev["t"] * (1e-6 if seconds else 1), ev["x"], ev["y"], ev["p"]], axis=1)
    return a.astype(t_dtype)


def _write_h5(path, cols, **attrs):
    import h5py
    with h5py.File(path, "w") as f:
        for k, v in cols.items():
            f[f"events/{k}"] = v
        f.attrs.update(attrs)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_mostly_non_finite_timestamps_fail(tmp_path, capsys, bad):
    # (a few such rows are corrupt ones, left out: tests/sources/test_no_time_rows_left_out.py)
    ev = make_events(2000)
    a = _nx4()
    a[::3, 0] = bad
    np.save(tmp_path / "e.npy", a)
    _fails(capsys, tmp_path / "e.npy", "667 of 2,000 events read together have timestamps that are no numbers")
    ts = ev["t"] * 1e-6
    ts[::2] = bad
    _write_h5(tmp_path / "e.h5", dict(ts=ts, xs=ev["x"], ys=ev["y"], ps=ev["p"]),
              sensor_resolution=(260, 346))
    _fails(capsys, tmp_path / "e.h5", "so the columns do not hold events")
    lines = [f"{t:.6f} {x} {y} {p}" for t, x, y, p in zip(ev["t"][:50] * 1e-6, ev["x"], ev["y"], ev["p"])]
    bad_lines = [f"{bad} 1 2 1" if i % 4 == 0 else ln for i, ln in enumerate(lines)]
    (tmp_path / "e.txt").write_text("346 260\n" + "\n".join(bad_lines) + "\n")
    _fails(capsys, tmp_path / "e.txt", "13 of 50 events read together have timestamps that are no numbers")


def test_timestamps_mostly_beyond_int64_fail(tmp_path, capsys):
    a = _nx4(t_dtype=np.uint64, seconds=False)
    a[:1000, 0] = 1 << 63  # would wrap to INT64_MIN
    np.save(tmp_path / "u.npy", a)
    _fails(capsys, tmp_path / "u.npy", "beyond the int64 µs range")
    (tmp_path / "big.txt").write_text("346 260\n0 1 1 1\n1 1 1 1\n" + "99999999999999999999 1 1 1\n" * 9)
    _fails(capsys, tmp_path / "big.txt", "beyond the int64 µs range")


@pytest.mark.parametrize("layout", ["nx4", "struct", "h5"])
def test_big_endian_columns_read(tmp_path, capsys, layout):
    ev = make_events(3000)
    if layout == "nx4":
        p = tmp_path / "be.npy"
        np.save(p, _nx4(3000, t_dtype=">i8", seconds=False))
    elif layout == "struct":
        p = tmp_path / "be.npy"
        np.save(p, ev.astype([("t", ">i8"), ("x", ">u2"), ("y", ">u2"), ("p", "u1")]))
    else:
        p = tmp_path / "be.h5"
        _write_h5(p, dict(t=ev["t"].astype(">i8"), x=ev["x"].astype(">u2"),
                          y=ev["y"].astype(">u2"), p=ev["p"]), width=346, height=260)
    assert _events(capsys, p) == 3000
    from evfocus_live.sources import open_file
    with open_file(p) as src:
        got = np.concatenate(list(src))
    np.testing.assert_array_equal(got["t"], ev["t"])
    np.testing.assert_array_equal(got["x"], ev["x"])


def test_float16_npy_reads_as_seconds(tmp_path, capsys):
    a = _nx4(3000, seconds=False)
    a[:, 0] = np.arange(3000) * 1e-3
    a16 = a.astype(np.float16)
    np.save(tmp_path / "f16.npy", a16)
    assert _events(capsys, tmp_path / "f16.npy") == 3000
    from evfocus_live.sources import open_file
    with open_file(tmp_path / "f16.npy") as src:
        got = np.concatenate(list(src))
    np.testing.assert_array_equal(got["t"], np.rint(a16[:, 0].astype(np.float64) * 1e6))
    np.testing.assert_array_equal(got["x"], a[:, 1])


@pytest.mark.parametrize("col", [1, 2, 3])
def test_mostly_nan_coordinate_or_polarity_fails(tmp_path, capsys, col):
    # (a few such rows are corrupt ones, left out: tests/sources/test_unwhole_coordinate_rows_left_out.py)
    a = _nx4()
    a[::3, col] = np.nan
    np.save(tmp_path / "e.npy", a)
    _fails(capsys, tmp_path / "e.npy", "x/y/p values that are NaN/inf")
    ev = make_events(2000)
    cols = dict(t=ev["t"], x=ev["x"].astype(float), y=ev["y"].astype(float), p=ev["p"].astype(float))
    cols["txyp"[col]][::3] = np.nan
    _write_h5(tmp_path / "e.h5", cols, width=346, height=260)  # width known: no max-x scan
    _fails(capsys, tmp_path / "e.h5", "x/y/p values that are NaN/inf")


def test_unusable_column_types_fail(tmp_path, capsys):
    ev = make_events(10)
    s = np.zeros(10, dtype=[("t", "<U5"), ("x", "<u2"), ("y", "<u2"), ("p", "u1")])
    np.save(tmp_path / "strt.npy", s)
    _fails(capsys, tmp_path / "strt.npy", "unsupported type")
    sub = np.zeros(10, dtype=[("t", "<i8", (2,)), ("x", "<u2"), ("y", "<u2"), ("p", "u1")])
    np.save(tmp_path / "sub.npy", sub)
    _fails(capsys, tmp_path / "sub.npy", "unsupported type")
    _write_h5(tmp_path / "s.h5", dict(t=np.array([b"a"] * 10), x=ev["x"], y=ev["y"], p=ev["p"]),
              width=346, height=260)
    _fails(capsys, tmp_path / "s.h5", "unsupported type")
    _write_h5(tmp_path / "t2d.h5", dict(t=np.zeros((10, 2), np.int64), x=ev["x"], y=ev["y"], p=ev["p"]),
              width=346, height=260)
    _fails(capsys, tmp_path / "t2d.h5", "not 1-D")


def test_implausible_sensor_size_fails(tmp_path, capsys):
    msg = "invalid sensor size 60000x60000 in the header (implausible; max 16384 per side)"
    p = tmp_path / "e.raw"
    p.write_bytes(b"% evt 3.0\n% format EVT3;height=60000;width=60000\n% end\n" + EVT3_FILE.read_bytes()[-4000:])
    assert str(p) in _fails(capsys, p, msg)
    p = tmp_path / "g.raw"
    p.write_bytes(b"% evt 2.0\n% geometry 20000x100\n% end\n" + EVT2_FILE.read_bytes()[-4000:])
    _fails(capsys, p, "20000x100")
    (tmp_path / "e.txt").write_text("60000 60000\n0.1 1 2 1\n")
    _fails(capsys, tmp_path / "e.txt", msg)
    ev = make_events(100)
    _write_h5(tmp_path / "e.h5", dict(t=ev["t"], x=ev["x"], y=ev["y"], p=ev["p"]), width=60000, height=60000)
    _fails(capsys, tmp_path / "e.h5", "invalid sensor size 60000x60000")
    a = _nx4(100, t_dtype=np.int64, seconds=False)
    a[5:10, 1] = 30000  # no width in a .npy: inferred as max x + 1 (one such x is set aside as a
    np.save(tmp_path / "e.npy", a)  # corrupt value: tests/sources/test_inferred_size_corrupt_xy.py)
    _fails(capsys, tmp_path / "e.npy", "invalid sensor size 30001x")


def test_raw_header_errors_name_the_file(tmp_path, capsys):
    p = tmp_path / "e21.raw"
    p.write_bytes(b"% format EVT21;height=720;width=1280\n% end\n" + bytes(64))
    assert _fails(capsys, p, "'EVT21' is not supported").split("error: ")[1].startswith(str(p))
    p = tmp_path / "noend.raw"
    p.write_bytes(b"% evt 3.0\n% format EVT3;height=720;width=1280\n% plugin_name hal_plu")
    assert _fails(capsys, p, "RAW header is truncated").split("error: ")[1].startswith(str(p))


@pytest.mark.parametrize("cut", [20, 30, 45])
def test_short_evt3_file_not_called_evt2(tmp_path, capsys, cut):
    p = tmp_path / "cut.raw"
    p.write_bytes(EVT3_FILE.read_bytes()[:cut])
    _fails(capsys, p, f"{p}: RAW header is truncated")
