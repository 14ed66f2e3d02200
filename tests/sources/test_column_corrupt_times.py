"""Bytes changed in an uncompressed ``.npy``, ``.npz``, HDF5 or text event file still read, and a
changed timestamp was read as it was: one flipped byte of a 2 s recording's ``.h5`` gave a
frame stamped 6.9e16 µs, ``evfocus info`` a duration of 67,553,994,411 s, and a seek whose
bisection met it landed a second early (5 of 9 seeks). As AEDAT4 does
(tests/sources/test_aedat4_corrupt_event_times.py), events whose times jump away over 1 s and
come back are left out, counted (``corrupt_times``) and said in one warning, in reads, time
ranges and seeks; sound files, clock restarts and shuffled rows read as before."""

from __future__ import annotations

import json
import logging

import h5py
import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.sources import npy_file, open_file

T0_US = 1_633_953_690_975_950
N = 20_000
K = N // 2  # the event whose time is changed: the first probe of a seek's bisection
KINDS = ["npy", "npy-nx4", "h5", "h5-v2e", "npz", "txt", "csv"]


def _save(kind: str, path, ev) -> None:
    if kind == "npy":
        np.save(path, ev)
    elif kind == "npy-nx4":
        np.save(path, np.c_[ev["t"], ev["x"], ev["y"], ev["p"]].astype(np.int64))
    elif kind == "h5":
        with h5py.File(path, "w") as f:
            for c in "txyp":
                f.create_dataset(f"events/{c}", data=ev[c])
            f.attrs["width"], f.attrs["height"] = 346, 260
    elif kind == "h5-v2e":
        with h5py.File(path, "w") as f:
            f["events"] = np.c_[ev["t"], ev["x"], ev["y"], ev["p"]].astype(np.int64)
    elif kind == "npz":
        np.savez(path, t=ev["t"], x=ev["x"], y=ev["y"], p=ev["p"])
    else:
        sep = "," if kind == "csv" else " "
        np.savetxt(path, np.c_[ev["t"], ev["x"], ev["y"], ev["p"]], fmt="%d", delimiter=sep,
                   header=f"346{sep}260", comments="")


def _suffix(kind: str) -> str:
    return "." + kind.split("-")[0]


def _files(tmp_path, kind: str, rows=(K,), ev=None):
    """(sound file, the same with a high byte of the time of each of ``rows`` flipped, events)."""
    ev = make_events(N, t0_us=T0_US, duration_us=2_000_000, seed=3) if ev is None else ev
    sound, bad = tmp_path / f"sound{_suffix(kind)}", tmp_path / f"bad{_suffix(kind)}"
    _save(kind, sound, ev)
    data = bytearray(sound.read_bytes())
    for k in rows:
        if kind in ("txt", "csv"):
            s = f"\n{int(ev['t'][k])}".encode()
            i = data.find(s) + 1
            data[i] = ord("9")  # a changed first digit: 8e15 µs away
        else:
            i = data.find(int(ev["t"][k]).to_bytes(8, "little", signed=True))
            data[i + 6] ^= 0xF0  # ~7e16 µs away
        assert i > 0
    bad.write_bytes(bytes(data))
    return sound, bad, ev


def _read(path, **kw):
    with open_file(path, **kw) as src:
        return np.concatenate(list(src)), src.stats, src.time_range_us()


@pytest.mark.parametrize("kind", KINDS)
def test_an_event_with_a_flipped_time_is_left_out_and_said_once(tmp_path, caplog, kind):
    sound, bad, ev = _files(tmp_path, kind)
    want, _, want_range = _read(sound)
    with caplog.at_level(logging.WARNING):
        got, stats, got_range = _read(bad)
    keep = np.ones(len(want), bool)
    keep[K] = False
    assert np.array_equal(got, want[keep])
    assert stats["corrupt_times"] == 1
    assert got_range == want_range == (int(ev["t"].min()), int(ev["t"].max()))
    said = [r.getMessage() for r in caplog.records if "corrupt" in r.getMessage()]
    assert len(said) == 1 and "1 event(s)" in said[0], said


@pytest.mark.parametrize("kind", KINDS)
def test_seeks_land_as_in_the_sound_file(tmp_path, kind):
    """The bisection's first probe reads the changed row: it went to the wrong half."""
    sound, bad, _ = _files(tmp_path, kind)
    with open_file(sound) as a, open_file(bad) as b:
        for t in np.linspace(T0_US, T0_US + 2_000_000, 9).astype(np.int64):
            a.seek(int(t))
            b.seek(int(t))
            fa, fb = a.read(), b.read()
            assert (fa is None) == (fb is None)
            if fa is not None:
                assert fa[0]["t"] == fb[0]["t"], t
        assert b.time_range_us() == a.time_range_us()  # (the text reader: from its seek index now)


@pytest.mark.parametrize("kind", ["npy", "h5", "npz"])
def test_runs_at_batch_edges_are_caught(tmp_path, monkeypatch, kind):
    """A changed time at a batch's first or last row: the rows around the batch are its context."""
    from evfocus_live.sources import hdf5_file, npz_file

    for mod in (npy_file, hdf5_file, npz_file):
        monkeypatch.setattr(mod, "BATCH_EVENTS", 1000)
    rows = (3000, 3999, 4000, 7001, 7002)
    sound, bad, _ = _files(tmp_path, kind, rows)
    want = _read(sound)[0]
    got, stats, _ = _read(bad)
    assert stats["corrupt_times"] == len(rows)
    assert np.array_equal(got, np.delete(want, rows))


def test_info_and_reconstruct_give_sane_times(tmp_path, capsys):
    ev = make_events(30_000, t0_us=T0_US, duration_us=300_000, seed=7)
    _, bad, _ = _files(tmp_path, "h5", (12_345,), ev)
    assert main(["info", str(bad), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["t_first_us"], info["t_last_us"]) == (int(ev["t"].min()), int(ev["t"].max()))
    assert info["events"] == len(ev) - 1 and info["decoder"]["corrupt_times"] == 1
    assert main(["info", str(bad)]) == 0
    assert "corrupt     1 event left out" in capsys.readouterr().out
    out = tmp_path / "out"
    assert main(["reconstruct", str(bad), "-o", str(out), "--window-ms", "50", "--no-progress"]) == 0
    t = np.loadtxt(out / "timestamps.txt", dtype=np.int64, ndmin=2)[:, 1]
    assert len(t) >= 5 and t.min() > T0_US and t.max() <= int(ev["t"].max()) + 1


@pytest.mark.parametrize("kind", ["npy", "txt"])
def test_clock_restarts_pauses_and_shuffled_rows_are_kept(tmp_path, kind):
    """A step back the file goes on from (a camera clock restart), a pause of an hour, and rows
    shuffled over 10 s (no time order: not changed bytes) read whole."""
    a = make_events(3000, t0_us=T0_US, duration_us=100_000, seed=1)
    b = make_events(3000, t0_us=500, duration_us=100_000, seed=2)
    c = make_events(3000, t0_us=3_600_000_000, duration_us=100_000, seed=3)
    d = make_events(3000, t0_us=4_000_000_000, duration_us=10_000_000, seed=4)
    d = d[np.random.default_rng(0).permutation(len(d))]
    ev = np.concatenate([a, b, c, d])
    path = tmp_path / f"ok{_suffix(kind)}"
    _save(kind, path, ev)
    got, stats, _ = _read(path)
    assert stats["corrupt_times"] == 0
    assert np.array_equal(got, ev)


@pytest.mark.parametrize("kind", ["npy", "h5", "txt"])
@pytest.mark.parametrize("rows", [(0,), (0, 1), (N - 1,), (N - 2, N - 1)], ids=["first", "first-two", "last", "last-two"])
def test_the_files_first_and_last_rows(tmp_path, kind, rows):
    """No rows before (after) them to come back to: a few events away from a long run at the
    file's edge are the run away. Before, the file's time range reached 7e16 µs."""
    sound, bad, ev = _files(tmp_path, kind, rows)
    want, _, want_range = _read(sound)
    got, stats, got_range = _read(bad)
    assert stats["corrupt_times"] == len(rows)
    assert np.array_equal(got, np.delete(want, rows))
    assert got_range == (int(np.delete(ev, rows)["t"].min()), int(np.delete(ev, rows)["t"].max()))


def test_a_sparse_start_and_end_are_kept(tmp_path):
    """Events over 1 s apart at a file's start and end (a scene that wakes up, a camera left
    running) are no short run beside a long one: all kept."""
    ev = make_events(N, t0_us=T0_US, duration_us=2_000_000, seed=3)
    ev["t"][:3] = T0_US - np.array([9_000_000, 6_000_000, 3_000_000])
    ev["t"][-3:] = ev["t"][-4] + np.array([3_000_000, 6_000_000, 9_000_000])
    path = tmp_path / "sparse.npy"
    np.save(path, ev)
    got, stats, rng = _read(path)
    assert stats["corrupt_times"] == 0 and np.array_equal(got, ev)
    assert rng == (int(ev["t"].min()), int(ev["t"].max()))
