"""Whole-number timestamps that may be nanoseconds from 0 (every one sampled a multiple of 1000:
ns saved from a µs camera clock) are still read as µs, since the two cannot be told apart for
sure, but one line says so and what the recording lasts if they are ns. Before, nothing said it
(``evfocus info`` hinted only past an hour): the 0.13 s DAVIS recording saved in ns played for
130 s."""

from __future__ import annotations

import logging

import h5py
import numpy as np
import pytest
from conftest import DAVIS_FILE, REAL_FILES, make_events

from evfocus_live.sources import open_file

HINT = "multiple of 1000"


def _hints(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and HINT in r.getMessage()]


def _write(path, ev, fmt: str) -> None:
    if fmt == "npy":
        np.save(path, ev)
    elif fmt == "npz":
        np.savez(path, t=ev["t"], x=ev["x"], y=ev["y"], p=ev["p"], width=346, height=260)
    elif fmt == "h5":
        with h5py.File(path, "w") as f:
            for k in "txyp":
                f.create_dataset(f"events/{k}", data=ev[k])
            f.attrs["width"], f.attrs["height"] = 346, 260
    else:
        path.write_text("346 260\n" + "".join(f"{t} {x} {y} {p}\n" for t, x, y, p in ev.tolist()))


@pytest.mark.parametrize("fmt", ["npy", "npz", "h5", "txt"])
def test_the_davis_recording_saved_in_relative_ns_is_read_as_us_with_one_hint(tmp_path, caplog, fmt):
    with open_file(DAVIS_FILE) as src:
        ev = np.concatenate(list(src))
    ev["t"] = (ev["t"] - ev["t"].min()) * 1000  # ns from 0 of a µs clock
    if fmt == "txt":
        ev = ev[:20_000]
    path = tmp_path / f"rec.{fmt}"
    _write(path, ev, fmt)
    with caplog.at_level(logging.WARNING):
        with open_file(path) as src:
            got = np.concatenate(list(src))
    assert np.array_equal(got["t"], ev["t"])  # (still µs: the unit is not changed on a guess)
    hints = _hints(caplog)
    assert len(hints) == 1, hints
    span_s = int(ev["t"].max()) / 1e9
    assert f"the recording is {span_s:.6f} s" in hints[0] and "save t in µs" in hints[0], hints[0]
    if fmt == "npy":
        assert span_s == pytest.approx((REAL_FILES["davis346"]["t_last_us"]
                                        - REAL_FILES["davis346"]["t_first_us"]) / 1e6)


@pytest.mark.parametrize("fmt", ["npy", "h5", "txt"])
def test_microseconds_say_nothing(tmp_path, caplog, fmt):
    ev = make_events(5000, duration_us=2_000_000, seed=4)
    path = tmp_path / f"rec.{fmt}"
    _write(path, ev, fmt)
    with caplog.at_level(logging.WARNING):
        with open_file(path) as src:
            sum(len(b) for b in src)
    assert not _hints(caplog)


def test_epoch_ns_keep_their_own_line(tmp_path, caplog):
    ev = make_events(5000, seed=5)
    t_ns = (ev["t"].astype(np.int64) + 1_700_000_000_000_000) * 1000
    path = tmp_path / "epoch.npz"
    np.savez(path, t=t_ns, x=ev["x"], y=ev["y"], p=ev["p"], width=346, height=260)
    with caplog.at_level(logging.WARNING):
        with open_file(path) as src:
            assert src.t_unit_in_file == "ns"
    assert not _hints(caplog) and any("Unix-epoch nanoseconds" in r.getMessage() for r in caplog.records)
