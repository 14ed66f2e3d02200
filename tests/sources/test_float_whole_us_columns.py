"""Float ``t`` columns holding whole numbers are µs saved as floats (``np.loadtxt`` of a µs
file, then ``np.save``): the .npy and .h5 readers took them as seconds, 1e6 times too long,
while the text reader read the same rows as µs. They agree now; fractional seconds stay seconds."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from conftest import make_events

from evfocus_live.sources import open_file

EV = make_events(6000, 346, 260, t0_us=2_000_000, duration_us=300_000, seed=12)
COLS = np.stack([EV["t"], EV["x"], EV["y"], EV["p"]], 1).astype(np.float64)


def _write(tmp_path, fmt, t):
    p = tmp_path / f"ev.{fmt}"
    cols = np.column_stack([t, COLS[:, 1:]])
    if fmt == "npy":
        np.save(p, cols)
    elif fmt == "h5":
        with h5py.File(p, "w") as f:
            for k, c in zip(("t", "x", "y", "p"), cols.T):
                f.create_dataset(f"events/{k}", data=c)
    else:
        np.savetxt(p, cols, fmt=["%.9g", "%d", "%d", "%d"], header="346 260", comments="")
    return p


@pytest.mark.parametrize("fmt", ["npy", "h5", "txt"])
def test_whole_number_float_t_is_read_as_us(tmp_path, fmt):
    with open_file(_write(tmp_path, fmt, COLS[:, 0])) as src:
        assert src.time_range_us() == (int(EV["t"][0]), int(EV["t"][-1]))
        got = np.concatenate(list(src))
    assert np.array_equal(got["t"], EV["t"])


@pytest.mark.parametrize("fmt", ["npy", "h5", "txt"])
def test_fractional_float_t_stays_seconds(tmp_path, fmt):
    with open_file(_write(tmp_path, fmt, COLS[:, 0] / 1e6)) as src:
        assert src.time_range_us() == (int(EV["t"][0]), int(EV["t"][-1]))
