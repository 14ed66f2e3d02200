"""Integer Unix-epoch nanosecond timestamps (ROS bag exports, pandas ``datetime64[ns]``) were
read as µs by the .npy, .h5 and text readers: 1000x too long, without a word. Epoch ns (~1.7e18)
cannot be µs (1e17 µs is the year 5100), so a file whose first and last values are all >= 1e17
is read as µs, divided by 1000 (exactly, in int64), with one warning line. Relative ns cannot
be told from µs: ``evfocus info`` hints at them when every t is a whole ms over more than an hour."""

from __future__ import annotations

import json
import logging

import h5py
import numpy as np
import pytest
from conftest import REAL_FILES, make_events

from evfocus_live.cli import main
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources import open_file

EPOCH_US = 1_700_000_000_000_000  # 2023-11-14, in µs
FORMATS = ["npy", "npy-events", "npy-records", "h5", "h5-v2e", "txt"]


def _write(path, fmt: str, t, ev, width: int, height: int):
    """``ev``'s x, y, p with ``t`` (any integer array) in one of the readers' layouts."""
    x, y, p = (ev[k].astype(np.int64) for k in "xyp")
    if fmt == "npy":  # N x 4 int64 (t, x, y, p)
        np.save(path, np.stack([t, x, y, p], 1))
    elif fmt == "npy-events":  # our own dtype, t in ns
        out = ev.copy()
        out["t"] = t
        np.save(path, out)
    elif fmt == "npy-records":  # another record layout, unsigned t (as some tools write)
        rec = np.empty(len(ev), [("timestamp", "<u8"), ("x", "<u2"), ("y", "<u2"), ("polarity", "i1")])
        rec["timestamp"], rec["x"], rec["y"], rec["polarity"] = t, x, y, p
        np.save(path, rec)
    elif fmt == "h5":
        with h5py.File(path, "w") as f:
            for k, c in zip("txyp", (t, x, y, p)):
                f.create_dataset(f"events/{k}", data=c)
            f.attrs["width"], f.attrs["height"] = width, height
    elif fmt == "h5-v2e":
        with h5py.File(path, "w") as f:
            f.create_dataset("events", data=np.stack([t, x, y, p], 1))
    else:
        with open(path, "w") as f:
            f.write(f"{width} {height}\n")
            f.writelines(f"{a} {b} {c} {d}\n" for a, b, c, d in zip(t.tolist(), x.tolist(), y.tolist(), p.tolist()))
    return path


def _suffix(fmt: str) -> str:
    return fmt.split("-")[0]


def _read(path, caplog):
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        with open_file(path) as src:
            rng = src.time_range_us()
            ev = np.concatenate(list(src))
    said = [r.getMessage() for r in caplog.records if "nanoseconds" in r.getMessage()]
    return rng, ev, said


@pytest.mark.parametrize("fmt", FORMATS)
def test_epoch_nanoseconds_are_read_as_us(tmp_path, caplog, fmt):
    ev = make_events(6000, 346, 260, t0_us=EPOCH_US, duration_us=2_000_000, seed=21)
    sub_us = np.random.default_rng(3).integers(0, 1000, len(ev))  # ns digits below the µs
    t_ns = ev["t"].astype(np.int64) * 1000 + sub_us
    path = _write(tmp_path / f"ev.{_suffix(fmt)}", fmt, t_ns, ev, 346, 260)
    rng, got, said = _read(path, caplog)
    assert rng == (int(ev["t"][0]), int(ev["t"][-1]))
    assert got.dtype == EVENT_DTYPE
    assert np.array_equal(got["t"], ev["t"])  # t // 1000: exact, in file order
    for k in "xy":
        assert np.array_equal(got[k], ev[k])
    assert len(said) == 1 and "save t in µs" in said[0], said


@pytest.mark.parametrize("fmt", ["npy", "h5", "txt"])
def test_seek_in_an_epoch_nanosecond_file_is_in_us(tmp_path, caplog, fmt):
    ev = make_events(5000, 64, 48, t0_us=EPOCH_US, duration_us=1_000_000, seed=22)
    path = _write(tmp_path / f"ev.{fmt}", fmt, ev["t"].astype(np.int64) * 1000, ev, 64, 48)
    t_seek = int(ev["t"][2500])
    with open_file(path) as src:
        src.seek(t_seek)
        got = np.concatenate(list(src))
    assert np.array_equal(got["t"], ev["t"][ev["t"] >= t_seek])


@pytest.mark.parametrize("name", ["evt3", "davis346"])
@pytest.mark.parametrize("fmt", ["npy", "h5", "txt"])
def test_a_real_recording_in_epoch_ns_reads_back_as_the_original(tmp_path, caplog, name, fmt):
    """A real recording's events with Unix-epoch ns times (the EVT3 file's µs from its clock's
    start moved to the epoch; the DAVIS's are epoch µs already) read back as the original."""
    facts = REAL_FILES[name]
    with open_file(facts["path"]) as src:
        orig = np.concatenate(list(src))
    assert len(orig) == facts["events"]
    offset_us = 0 if orig["t"].min() > 10 ** 15 else EPOCH_US
    t_ns = (orig["t"].astype(np.int64) + offset_us) * 1000 + 999  # (the last ns of each µs)
    path = _write(tmp_path / f"{name}.{fmt}", fmt, t_ns, orig, facts["width"], facts["height"])
    rng, got, said = _read(path, caplog)
    assert rng == (facts["t_first_us"] + offset_us, facts["t_last_us"] + offset_us)
    assert np.array_equal(got["t"], orig["t"] + offset_us)  # order kept (the EVT3's steps back too)
    for k in "xyp":
        assert np.array_equal(got[k], orig[k])
    assert len(said) == 1


@pytest.mark.parametrize("fmt", ["npy", "h5", "txt"])
def test_epoch_us_and_relative_times_stay_us_without_a_word(tmp_path, caplog, fmt):
    """The rule cannot fire on µs: epoch µs (the DAVIS recording's, 1.6e15) and µs from 0."""
    facts = REAL_FILES["davis346"]
    with open_file(facts["path"]) as src:
        orig = np.concatenate(list(src))
    for t in (orig["t"].astype(np.int64), orig["t"].astype(np.int64) - int(orig["t"][0])):
        path = _write(tmp_path / f"us.{fmt}", fmt, t, orig, 346, 260)
        rng, got, said = _read(path, caplog)
        assert np.array_equal(got["t"], t) and rng == (int(t.min()), int(t.max()))
        assert said == []


def test_whole_number_float_epoch_ns_are_read_as_us(tmp_path, caplog):
    """Epoch ns saved as float64 (pandas' ``.astype(float)``): the whole-number rule read them as
    µs, 1000x too long; now as ns, to within 1 µs (a double holds them to 256 ns)."""
    ev = make_events(4000, 346, 260, t0_us=EPOCH_US, duration_us=1_000_000, seed=23)
    t_ns = ev["t"].astype(np.int64) * 1000 + 500
    np.save(tmp_path / "f.npy", np.stack([t_ns.astype(np.float64), ev["x"], ev["y"], ev["p"]], 1))
    _, got, said = _read(tmp_path / "f.npy", caplog)
    assert np.abs(got["t"] - ev["t"]).max() <= 1
    assert np.all(np.diff(got["t"]) >= 0)
    assert len(said) == 1


def _info(capsys, path) -> tuple[dict, str]:
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert main(["info", str(path)]) == 0
    return info, capsys.readouterr().out


def test_info_hints_at_relative_nanoseconds(tmp_path, capsys):
    """ns from 0 of a µs clock (a ROS bag export of a DAVIS): read as µs, 10 s last 2.8 h."""
    ev = make_events(5000, 346, 260, duration_us=10_000_000, seed=24)
    path = _write(tmp_path / "rel_ns.npy", "npy", ev["t"].astype(np.int64) * 1000, ev, 346, 260)
    info, text = _info(capsys, path)
    assert info["t_maybe_ns"] is True
    assert "may be nanoseconds" in text


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_info_does_not_hint_on_real_us_recordings(capsys, name):
    info, text = _info(capsys, REAL_FILES[name]["path"])
    assert info["t_maybe_ns"] is False and "nanoseconds" not in text


def test_info_does_not_hint_on_a_long_us_recording(tmp_path, capsys):
    """Over an hour of µs, not all whole ms: no hint (the hint needs both)."""
    ev = make_events(5000, 346, 260, duration_us=2 * 3_600_000_000, seed=25)
    assert np.any(ev["t"] % 1000)
    info, _ = _info(capsys, _write(tmp_path / "long.npy", "npy", ev["t"].astype(np.int64), ev, 346, 260))
    assert info["t_maybe_ns"] is False
