"""An event array preallocated (np.full NaN, np.zeros) and saved before a logger filled it (the
script crashed) ends in rows that hold no events. Before, a NaN tail refused the file (an N x 4
float array: NaN x; else over 10 % of a batch no times: "the t column does not hold event
times") or stopped a replay at the tail's batch, and an all-zero tail read as events at 0 µs
(time stepping back at the end). Now every event before the tail is read, the tail left out
and said once (warning, ``evfocus info``'s ``unfilled`` line), seeks and time ranges within
the events; a t column of no times throughout is still refused."""

from __future__ import annotations

import json
import logging

import h5py
import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import open_file

N_GOOD, N_TAIL = 3_000, 5_000
KINDS = ["npy", "npy-nx4", "npy-nx4-fortran", "npy-int", "h5", "npz", "txt"]


def _save(kind: str, path, ev, fill: float) -> None:
    n = len(ev) + N_TAIL
    if kind == "npy":  # (float t, integer x/y/p: their tail rows stay 0)
        a = np.zeros(n, [("t", "<f8"), ("x", "<u2"), ("y", "<u2"), ("p", "u1")])
        a["t"][len(ev):] = fill
        for k in "xyp":
            a[k][:len(ev)] = ev[k]
        a["t"][:len(ev)] = ev["t"] * 1e-6
        np.save(path, a)
        return
    dtype = np.int64 if kind == "npy-int" else np.float64
    a = np.full((n, 4), fill, dtype)
    a[:len(ev)] = np.c_[ev["t"] * (1 if kind == "npy-int" else 1e-6), ev["x"], ev["y"], ev["p"]]
    if kind.startswith("npy"):
        np.save(path, np.asfortranarray(a) if kind.endswith("fortran") else a)
    elif kind == "h5":
        with h5py.File(path, "w") as f:
            for k, c in zip("txyp", a.T):
                f.create_dataset(f"events/{k}", data=c)
    elif kind == "npz":
        np.savez(path, t=a[:, 0], x=a[:, 1], y=a[:, 2], p=a[:, 3])
    else:  # (np.savetxt: "nan nan nan nan" rows, or "0.000000 ..."; the size as line 1)
        np.savetxt(path, a, fmt="%.6f", header=f"{ev['x'].max() + 1} {ev['y'].max() + 1}", comments="")


def _file(tmp_path, kind, fill):
    ev = make_events(N_GOOD, duration_us=2_000_000, seed=3)
    ev["t"] += 1_000  # (a last event after 0 µs; all-zero rows step back from it)
    path = tmp_path / f"ev.{kind.split('-')[0]}"
    _save(kind, path, ev, fill)
    return path, ev


def _said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "hold no events" in r.getMessage()]


CASES = [(k, f) for k in KINDS for f in (np.nan, 0.0) if not (k == "npy-int" and f != 0)]  # (an int array has no NaN)


@pytest.mark.parametrize("kind,fill", CASES, ids=[f"{k}-{'nan' if f != 0 else 'zeros'}" for k, f in CASES])
def test_events_before_an_unfilled_tail_are_all_read_and_the_tail_said_once(tmp_path, caplog, kind, fill):
    path, ev = _file(tmp_path, kind, fill)
    caplog.set_level(logging.WARNING)
    with open_file(path) as src:
        got = np.concatenate(list(src))
        assert (src.width, src.height) == (int(ev["x"].max()) + 1, int(ev["y"].max()) + 1)
        assert src.time_range_us() == (int(ev["t"].min()), int(ev["t"].max()))
        assert src.stats["unfilled_rows"] == N_TAIL and not src.stats["corrupt_times"]
        t_mid = int(ev["t"][N_GOOD // 2])
        src.seek(t_mid)
        rest = np.concatenate(list(src))
    for k in "txyp":
        assert np.array_equal(got[k], ev[k]), k
    assert rest["t"][0] == t_mid and len(rest) == N_GOOD - np.searchsorted(ev["t"], t_mid)
    said = _said(caplog)
    assert len(said) == 1 and f"{N_TAIL:,}" in said[0]
    assert kind == "txt" or f"({N_GOOD:,})" in said[0]  # (a text file's rows are not counted ahead)
    assert ("NaN" in said[0]) == (fill != 0)


def test_info_gives_the_events_before_the_tail_and_says_it(tmp_path, capsys):
    path, ev = _file(tmp_path, "npy-nx4", np.nan)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"events      {N_GOOD:,}" in out and "unfilled    the last 5,000 rows" in out
    assert main(["info", "--json", str(path)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["events"] == N_GOOD and info["duration_us"] == int(ev["t"].max() - ev["t"].min())


def test_a_t_column_of_no_times_throughout_is_still_refused(tmp_path):
    path = tmp_path / "ev.npy"
    a = np.zeros(N_GOOD, [("t", "<f8"), ("x", "<u2"), ("y", "<u2"), ("p", "u1")])
    a["t"] = np.nan
    a["x"] = 5  # (rows with x/y/p but no times: not an unfilled tail, no event at all)
    np.save(path, a)
    with pytest.raises(InputError, match="do not hold events"):
        with open_file(path) as src:
            list(src)


def test_a_few_nan_rows_at_the_end_stay_corrupt_times(tmp_path, caplog):
    ev = make_events(N_GOOD, duration_us=2_000_000, seed=3)
    a = np.c_[ev["t"] * 1e-6, ev["x"], ev["y"], ev["p"]]
    a[-3:, 0] = np.nan  # (changed bytes, as likely as a logger 3 rows short)
    path = tmp_path / "ev.npy"
    np.save(path, a)
    with open_file(path) as src:
        got = np.concatenate(list(src))
        assert src.stats["corrupt_times"] == 3 and not src.stats["unfilled_rows"]
    assert len(got) == N_GOOD - 3 and not _said(caplog)


def test_zero_rows_after_a_last_event_at_0_us_are_events(tmp_path, caplog):
    a = np.zeros((50, 4), np.int64)
    a[:10] = [0, 5, 6, 1]  # (a burst at 0 µs; rows of 0 after it may be events at 0 µs too)
    path = tmp_path / "ev.npy"
    np.save(path, a)
    with open_file(path, width=8, height=8) as src:
        assert len(np.concatenate(list(src))) == 50 and not src.stats["unfilled_rows"]
    assert not _said(caplog)
