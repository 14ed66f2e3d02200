"""The .npz reader (written beside the nanosecond rule) read epoch-nanosecond ``t`` as µs, 1000x
too long: it now takes the .npy/.h5 readers' unit rules (epoch ns -> µs with a warning; whole-number
float µs; float seconds)."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.sources import open_file

EPOCH_US = 1_700_000_000_000_000


def _read_all(path) -> np.ndarray:
    with open_file(str(path)) as src:
        parts = []
        while (b := src.read()) is not None:
            parts.append(b)
    return np.concatenate(parts)


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
@pytest.mark.parametrize("float_t", [False, True])
def test_epoch_nanoseconds_in_an_npz_are_read_as_microseconds(tmp_path, caplog, save, float_t):
    ev = make_events(20_000, 64, 48, t0_us=1000, duration_us=500_000, seed=3)
    t_ns = (ev["t"].astype(np.int64) + EPOCH_US) * 1000 + 999  # sub-µs digits too
    path = tmp_path / "ros.npz"
    save(path, t=t_ns.astype(np.float64) if float_t else t_ns, x=ev["x"], y=ev["y"], p=ev["p"],
         width=64, height=48)
    with caplog.at_level(logging.WARNING):
        got = _read_all(path)
    want = ev["t"].astype(np.int64) + EPOCH_US
    if float_t:  # a double holds such a time to 256 ns
        assert np.abs(got["t"].astype(np.int64) - want).max() <= 1
    else:
        assert np.array_equal(got["t"], want)
    assert np.array_equal(got["x"], ev["x"]) and np.array_equal(got["p"], ev["p"])
    assert any("nanosecond" in r.getMessage() for r in caplog.records)


def test_microseconds_in_an_npz_stay_microseconds(tmp_path, caplog):
    ev = make_events(5000, 64, 48, t0_us=EPOCH_US, duration_us=100_000, seed=4)
    path = tmp_path / "us.npz"
    np.savez(path, t=ev["t"].astype(np.int64), x=ev["x"], y=ev["y"], p=ev["p"], width=64, height=48)
    with caplog.at_level(logging.WARNING):
        got = _read_all(path)
    assert np.array_equal(got["t"], ev["t"])
    assert not any("nanosecond" in r.getMessage() for r in caplog.records)
