"""Writers round-trip exactly (through our readers and through dv-processing) and survive SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

from conftest import make_events
from reader_support import read_with_dv as _read_dv
from evfocus_live.sources import open_file
from evfocus_live.writers import Aedat4Writer, Hdf5Writer


def _read_ours(path):
    with open_file(path) as src:
        return np.concatenate(list(src)), src


@pytest.mark.parametrize("compression", ["lz4", "none", "lz4_high"])
def test_aedat4_roundtrip_exact_ours_and_dv(tmp_path, compression):
    ev = make_events(50_000, width=640, height=480, t0_us=1_633_953_690_975_950, duration_us=2_000_000)
    p = tmp_path / "w.aedat4"
    with Aedat4Writer(p, 640, 480, sensor="DVXplorer_<test>&", compression=compression,
                      max_packet_events=7000) as w:
        w.write(ev[:10])
        w.write(ev[10:10])       # empty write is fine
        w.write(ev[10:])
    ours, src = _read_ours(p)
    assert np.array_equal(ours, ev)
    assert (src.width, src.height, src.sensor) == (640, 480, "DVXplorer_<test>&")
    theirs, r = _read_dv(p)
    assert np.array_equal(theirs, ev)
    assert r.getCameraName() == "DVXplorer_<test>&" and tuple(r.getEventResolution()) == (640, 480)
    # dv uses our packet index (FTAB) for time-range queries
    t0, t1 = int(ev["t"][20_000]), int(ev["t"][30_000])
    store = r.getEventsTimeRange(t0, t1)
    assert len(store) == np.count_nonzero((ev["t"] >= t0) & (ev["t"] < t1))


def test_aedat4_real_file_rewritten_is_identical(tmp_path):
    from conftest import DAVIS_FILE
    ev, src = _read_ours(DAVIS_FILE)
    p = tmp_path / "copy.aedat4"
    with Aedat4Writer(p, src.width, src.height, sensor=src.sensor) as w:
        for k in range(0, len(ev), 10_000):
            w.write(ev[k:k + 10_000])
    assert np.array_equal(_read_ours(p)[0], ev)
    assert np.array_equal(_read_dv(p)[0], ev)


def test_hdf5_roundtrip_append_and_layout(tmp_path):
    ev = make_events(40_000, seed=3)
    p = tmp_path / "w.h5"
    with Hdf5Writer(p, 346, 260, sensor="sim") as w:
        w.write(ev[:15_000])
    with h5py.File(p, "a") as f:
        f.create_group("frames")["t_us"] = np.arange(3)  # another group in the same file
    with Hdf5Writer(p, 346, 260, sensor="sim", mode="a") as w:
        w.write(ev[15_000:])
    with h5py.File(p, "r") as f:
        assert f.attrs["format"] == b"evfocus-h5" and f.attrs["width"] == 346 and f.attrs["height"] == 260
        assert f.attrs["sensor"] == b"sim" and "frames" in f
        for name, dt in (("t", np.int64), ("x", np.uint16), ("y", np.uint16), ("p", np.uint8)):
            ds = f["events"][name]
            assert ds.dtype == dt and ds.chunks is not None and ds.maxshape == (None,)
            assert ds.id.get_create_plist().get_nfilters() > 0  # compressed
    assert np.array_equal(_read_ours(p)[0], ev)


_KILLED_WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {tests!r})
    from conftest import make_events
    from evfocus_live.writers import Aedat4Writer
    ev = make_events(200_000, seed=9, duration_us=20_000_000)
    w = Aedat4Writer(sys.argv[1], 346, 260)
    for k in range(100):
        w.write(ev[k * 2000:(k + 1) * 2000])
        print(k, flush=True)
        time.sleep(0.02)
    time.sleep(60)
""")


def test_aedat4_readable_after_sigkill(tmp_path):
    p = tmp_path / "killed.aedat4"
    script = _KILLED_WRITER.format(tests=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen([sys.executable, "-c", script, str(p)], stdout=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:
            if int(line) >= 4:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    expected = make_events(200_000, seed=9, duration_us=20_000_000)
    ours, _ = _read_ours(p)
    assert len(ours) >= 5 * 2000 and len(ours) % 2000 == 0
    assert np.array_equal(ours, expected[:len(ours)])
    theirs, _ = _read_dv(p)  # dv rebuilds the index the killed writer never wrote
    assert np.array_equal(theirs, ours)


@pytest.mark.parametrize("compression", ["LZ4", "ZSTD", "NONE"])
def test_files_written_by_dv_read_exactly(tmp_path, compression):
    """Our AEDAT4 parser on dv-processing's own writer output (independent of our writer)."""
    import dv_processing as dv
    ev = make_events(3000, seed=12)
    p = tmp_path / f"dv_{compression}.aedat4"
    w = dv.io.MonoCameraWriter(str(p), dv.io.MonoCameraWriter.EventOnlyConfig(
        "DAVIS346_dv", (346, 260), getattr(dv.CompressionType, compression)))
    store = dv.EventStore()
    for t, x, y, pol in ev.tolist():
        store.push_back(t, x, y, bool(pol))
    for k in range(0, len(ev), 1000):
        w.writeEventPacket(store.slice(k, 1000).toPacket())  # not writeEvents: ../shared/docs/IO.md §2 bug
    del w  # dv closes the file when the writer is released
    ours, src = _read_ours(p)
    assert src.compression == compression.lower() and src.sensor == "DAVIS346_dv"
    assert np.array_equal(ours, ev)


@pytest.mark.parametrize("cls,suffix", [(Aedat4Writer, ".aedat4"), (Hdf5Writer, ".h5")])
def test_writers_close_once_and_finalise_when_dropped(tmp_path, cls, suffix):
    from evfocus_live.sources import open_source

    ev = make_events(5000, 64, 48, seed=4)
    with cls(tmp_path / f"a{suffix}", 64, 48) as w:
        w.write(ev)
    assert w.closed
    w.close()  # a second close is a no-op
    with pytest.raises(ValueError, match="closed"):
        w.write(ev)
    dropped = cls(tmp_path / f"b{suffix}", 64, 48)
    dropped.write(ev)
    del dropped  # never closed by the caller: finalised on garbage collection
    for name in ("a", "b"):
        src = open_source(tmp_path / f"{name}{suffix}")
        with src:
            got = np.concatenate(list(src))
        assert np.array_equal(got["t"], ev["t"]) and np.array_equal(got["x"], ev["x"])
