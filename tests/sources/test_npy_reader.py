"""The .npy reader: structured arrays in any field order, float microseconds."""

from __future__ import annotations

import logging

import h5py
import numpy as np
import pytest
from conftest import make_events

from evfocus_live.sources import hdf5_file, npy_file, open_file


@pytest.mark.parametrize("fmt", ["npy", "h5"])
def test_float_microseconds_read_as_seconds_are_warned(tmp_path, caplog, fmt):
    """``np.save(f, np.loadtxt(us_file))`` stores µs as float, which the readers took as
    seconds (E2VID): 10 ms between events became 10,000 s. They are read as µs now, and
    that guess is said; real float seconds and integer µs stay silent."""
    ev = make_events(10_000, seed=9)
    cols = np.stack([ev["t"], ev["x"], ev["y"], ev["p"]], 1)

    def write(name, t):
        p = tmp_path / f"{name}.{fmt}"
        if fmt == "npy":
            np.save(p, np.column_stack([t, cols[:, 1:]]))
        else:
            with h5py.File(p, "w") as f:
                for k, c in zip(("ts", "xs", "ys", "ps"), (t, *cols[:, 1:].T)):
                    f.create_dataset(f"events/{k}", data=c)
        return p

    for name, t, warned in (("us_float", cols[:, 0].astype(float), True),
                            ("seconds", cols[:, 0] * 1e-6 + 0.25, False),
                            ("us_int", cols[:, 0], False)):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            open_file(write(name, t)).close()
        assert ("save t as integers" in caplog.text) == warned, (name, caplog.text)


@pytest.fixture
def _small_batches(monkeypatch):
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", 1000)
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 1000)


EV = make_events(2000, 346, 260, t0_us=1_000_000, duration_us=500_000, seed=4)


@pytest.mark.usefixtures("_small_batches")
@pytest.mark.parametrize("order", ["txyp", "xytp", "ptyx"])
@pytest.mark.parametrize("tkind", ["<i8", "<u8", ">i8", "<f8"])
def test_npy_structured_any_field_order_and_t_type(tmp_path, order, tkind):
    coord = {"x": "<i2", "y": ">u4", "p": "i1"}
    dt = np.dtype([(k, tkind if k == "t" else coord[k]) for k in order])
    a = np.empty(len(EV), dt)
    a["t"] = EV["t"] / 1e6 if tkind == "<f8" else EV["t"]
    a["x"], a["y"], a["p"] = EV["x"], EV["y"], np.where(EV["p"] > 0, 1, -1)
    path = tmp_path / "e.npy"
    np.save(path, a)
    with open_file(path, width=346, height=260) as src:
        assert np.array_equal(np.concatenate(list(src)), EV)
