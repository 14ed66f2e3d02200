"""Helpers the reader tests share: files written, changed and read on, a RAW file with a garbage tail."""

from __future__ import annotations

import json
import shutil

import h5py
import numpy as np
from conftest import EVT2_FILE, EVT3_FILE, make_events
from evt_reference import encode_evt2, encode_evt3, raw_file_bytes

from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.events import EVENT_DTYPE, concat
from evfocus_live.sources import open_file, open_source
from evfocus_live.writers import Aedat4Writer


def _write_long(fmt: str, path) -> None:
    """A file several batches long: RAW > 2 decode blocks (512 KiB each), AEDAT4 40 packets
    (the reader prefetches 4), npy 5 batches of the 1000 set in the script."""
    if fmt == "raw":
        path.write_bytes(raw_file_bytes(make_events(300_000, 640, 480, duration_us=3_000_000), 2,
                                        640, 480))
    elif fmt == "aedat4":
        ev = make_events(20_000)
        with Aedat4Writer(path, 346, 260) as w:
            for k in range(0, len(ev), 500):
                w.write(ev[k:k + 500])
    else:
        np.save(path, make_events(5_000))


def _read_on(src) -> tuple[list[np.ndarray], InputError | None]:
    got = []
    try:
        while (b := src.read()) is not None:
            got.append(b)
    except InputError as exc:
        return got, exc
    return got, None


#: the real files' facts (../shared/data/SOURCES.md): events and (min t, max t)
REAL = {3: (EVT3_FILE, 219_596, (11_718_656, 11_727_457)), 2: (EVT2_FILE, 539_481, (1_317_888, 1_367_888))}


def _info_json(capsys, path) -> dict:
    rc = main(["info", str(path), "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)


def _garbage_tail(tmp_path, version: int, seed: int, n_bytes: int = 65_536):
    """A real RAW file with random bytes after its events (a recorder that crashed with an
    unflushed buffer)."""
    path, _, _ = REAL[version]
    rng = np.random.default_rng(seed)
    out = tmp_path / f"tail{version}_{seed}.raw"
    out.write_bytes(path.read_bytes() + rng.integers(0, 256, n_bytes, dtype=np.uint8).tobytes())
    return out


def _late_said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "time order is broken" in r.getMessage()]


def reset_clock_events() -> tuple[np.ndarray, np.ndarray]:
    """A clock that resets halfway: 20,000 events from 5 s, then 20,000 from 0.02 s (64x48)."""
    first = make_events(20_000, 64, 48, t0_us=5_000_000, duration_us=200_000, seed=1)
    second = make_events(20_000, 64, 48, t0_us=20_000, duration_us=200_000, seed=2)  # the clock reset
    return first, second


def reset_clock_file(tmp_path, version):
    """A RAW file whose sensor clock resets halfway (:func:`reset_clock_events`)."""
    first, second = reset_clock_events()
    enc = encode_evt3 if version == 3 else encode_evt2
    path = tmp_path / f"reset{version}.raw"
    path.write_bytes(raw_file_bytes(first, version, width=64, height=48) + enc(second))
    return path, first, second


def aedat4_clocks_file(path, *clocks, index=True, packet_events=2000, size=(64, 48)):
    """An AEDAT4 file (our writer) of ``clocks``, one after another; without ``index``, a copy
    taken before close: the header says "no index" (a recorder killed), the times are decoded."""
    w = Aedat4Writer(path, *size, max_packet_events=packet_events)
    for ev in clocks:
        w.write(ev)
    if not index:
        shutil.copy(path, path.with_suffix(".noindex"))
    w.close()
    return path if index else path.with_suffix(".noindex")


def aedat4_reset_file(tmp_path, index=True, packet_events=2000):
    """An AEDAT4 file whose camera clock restarted (:func:`reset_clock_events`, in one write): with
    ``packet_events`` 3000 the restart is inside a packet (events 18,000 to 20,999)."""
    first, second = reset_clock_events()
    path = aedat4_clocks_file(tmp_path / "reset.aedat4", concat([first, second]), index=index,
                              packet_events=packet_events)
    return path, first, second


def read_with_dv(path):
    """(events, the recording) as dv-processing reads ``path`` (the reference reader)."""
    import dv_processing as dv
    r = dv.io.MonoCameraRecording(str(path))
    parts = []
    while r.isRunning():
        b = r.getNextEventBatch()
        if b is not None:
            parts.append(b.numpy())
    a = np.concatenate(parts)
    ev = np.empty(len(a), EVENT_DTYPE)
    ev["t"], ev["x"], ev["y"], ev["p"] = a["timestamp"], a["x"], a["y"], a["polarity"]
    return ev, r


def read_whole(path):
    """(every event of the file at ``path``, its reader's stats, its time range)."""
    with open_file(path) as src:
        return np.concatenate(list(src)), src.stats, src.time_range_us()


def assert_one_row_left_out(caplog, sound_path, bad_path, row: int, what: str) -> None:
    """The file at ``bad_path`` reads as the one at ``sound_path`` without row ``row``, counted
    as one corrupt event in a single warning that names ``what``."""
    import logging

    want = np.delete(read_whole(sound_path)[0], row)
    caplog.set_level(logging.WARNING)
    got, stats, t_range = read_whole(bad_path)
    assert np.array_equal(got, want)
    assert stats["corrupt_times"] == 1
    assert t_range == (int(want["t"].min()), int(want["t"].max()))
    said = [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]
    assert len(said) == 1 and "left out 1 event(s)" in said[0] and what in said[0], said


def save_columns(kind: str, path, c: dict, xyp=("<u2", "<u2", "u1")) -> None:
    """Columns ``c`` (t, x, y, p) saved as a ``kind`` file: "npy..." a structured array (x, y, p
    of the ``xyp`` types), "npy-nx4" an N x 4 one, "h5" (346x260), "npz", "txt" (346 260 header)."""
    import h5py

    if kind == "npy-nx4":
        np.save(path, np.c_[c["t"], c["x"], c["y"], c["p"]])
    elif kind.startswith("npy"):
        a = np.zeros(len(c["t"]), [("t", c["t"].dtype), *zip("xyp", xyp)])
        for k in "txyp":
            a[k] = c[k]
        np.save(path, a)
    elif kind == "h5":
        with h5py.File(path, "w") as f:
            for k in "txyp":
                f.create_dataset(f"events/{k}", data=c[k])
            f.attrs["width"], f.attrs["height"] = 346, 260
    elif kind == "npz":
        np.savez(path, **c)
    else:
        path.write_text("346 260\n" + "".join(f"{t:.6f} {x:g} {y:g} {p:g}\n" for t, x, y, p in zip(*c.values())))


def _read_all(path) -> np.ndarray:
    src = open_source(str(path))
    try:
        assert (src.width, src.height) == (346, 260)
        parts = []
        while (b := src.read()) is not None:
            parts.append(b)
        return np.concatenate(parts)
    finally:
        src.close()


def _save(kind: str, path, ev) -> None:
    if kind == "npy":
        np.save(path, ev)
    elif kind == "npz":
        np.savez(path, t=ev["t"], x=ev["x"], y=ev["y"], p=ev["p"])
    else:
        with h5py.File(path, "w") as f:
            for c in "txyp":
                f.create_dataset(f"events/{c}", data=ev[c])
