"""The HDF5 reader: DSEC, v2e, one-record datasets, Prophesee's layout and its ECF filter."""

from __future__ import annotations

import re

import h5py
import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import hdf5_file, npy_file, open_file


def _all(src):
    with src:
        return np.concatenate(list(src))


def test_dsec_t_offset_is_added(tmp_path):
    """DSEC's events.h5 stores events/t in µs from a root ``t_offset``; its image and flow
    timestamps are absolute, so the offset is added (reading, time range and seek)."""
    ev = make_events(3000, seed=10)
    p = tmp_path / "events.h5"
    off = 51_805_120_000
    with h5py.File(p, "w") as f:
        f.create_dataset("events/t", data=ev["t"].astype(np.uint32))
        for k in "xyp":
            f.create_dataset(f"events/{k}", data=ev[k])
        f.create_dataset("t_offset", data=np.int64(off))
        f.create_dataset("ms_to_idx", data=np.zeros(3, np.uint64))
    src = open_file(p)
    assert src.format == "hdf5-dsec"
    assert src.time_range_us() == (int(ev["t"][0]) + off, int(ev["t"][-1]) + off)
    t_mid = int(ev["t"][1500]) + off
    src.seek(t_mid)
    got = _all(src)
    assert np.array_equal(got["t"], ev["t"][ev["t"] + off >= t_mid] + off)


def test_v2e_n_by_4_hdf5_reads(tmp_path, monkeypatch):
    """v2e's ``--dvs_h5`` writes ``/events`` as an N x 4 uint32 array (t µs, x, y, p 0/1),
    the most common simulator's output: read like an N x 4 .npy, in batches and by seek."""
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 700)
    ev = make_events(3000, seed=11)
    p = tmp_path / "v2e.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("events", data=np.stack([ev["t"], ev["x"], ev["y"], ev["p"]], 1).astype(np.uint32),
                         chunks=(512, 4), compression="gzip", maxshape=(None, 4))
    src = open_file(p, width=346, height=260)
    assert src.format == "hdf5-v2e"
    assert np.array_equal(_all(src), ev)
    src = open_file(p, width=346, height=260)
    t_mid = int(ev["t"][1777])
    src.seek(t_mid)
    assert np.array_equal(_all(src), ev[ev["t"] >= t_mid])


def test_events_as_one_record_dataset_reads(tmp_path):
    """``f["events"] = events`` (our dtype, or fields named as in a structured .npy) stores
    one dataset of records: read, not "HDF5 file has no event datasets"."""
    ev = make_events(2000, seed=12)
    p = tmp_path / "rec.h5"
    with h5py.File(p, "w") as f:
        f["events"] = ev
    src = open_file(p, width=346, height=260)
    assert src.format == "hdf5-compound" and np.array_equal(_all(src), ev)
    rec = np.zeros(len(ev), [("timestamp", "<f8"), ("x", "<i2"), ("y", "<i2"), ("polarity", "i1")])
    rec["timestamp"], rec["x"], rec["y"], rec["polarity"] = ev["t"] * 1e-6, ev["x"], ev["y"], ev["p"] * 2 - 1
    with h5py.File(p, "w") as f:
        f.create_dataset("events", data=rec, chunks=True, compression="gzip")
    assert np.array_equal(_all(open_file(p, width=346, height=260)), ev)


@pytest.fixture
def _small_batches(monkeypatch):
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", 1000)
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 1000)


CD = np.dtype([("x", "<u2"), ("y", "<u2"), ("p", "<i2"), ("t", "<i8")])  # Metavision's EventCD


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


@pytest.mark.usefixtures("_small_batches")
@pytest.mark.parametrize("layout", ["prophesee", "plain"])
def test_hdf5_with_the_ecf_filter_missing_is_one_clear_line(tmp_path, capsys, layout):
    path = _ecf_file(tmp_path, layout)
    with pytest.raises(InputError, match=r"compressed with Prophesee's ECF codec \(HDF5 filter 36559\)"):
        open_file(path)
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("evfocus info: error: ") and "ECF" in err[0], err
    assert "HDF5_PLUGIN_PATH" in err[0] and "plugin). Please" not in err[0]


@pytest.mark.usefixtures("_small_batches")
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
