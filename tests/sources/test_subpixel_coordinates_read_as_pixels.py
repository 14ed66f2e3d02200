"""Float x/y columns of sub-pixel coordinates (undistorted or rectified recordings store them so)
are data, not damage: every row was read as its pixel, until rows whose float x/y/p was no whole
number were left out as corrupt, which refused such a file ("invalid sensor size 0x0 inferred
from the data", or "over 10 % ... do not hold events"). Only NaN/inf rows are left out now."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events
from reader_support import read_whole, save_columns

from evfocus_live.cli import main

N = 5_000


def _subpixel(tmp_path, kind: str):
    ev = make_events(N, 346, 260, duration_us=1_000_000, seed=7)
    frac = np.random.default_rng(1).uniform(0.05, 0.95, (2, N))
    c = dict(t=ev["t"] * 1e-6, x=ev["x"] + frac[0], y=ev["y"] + frac[1], p=ev["p"].astype(np.float64))
    path = tmp_path / f"e.{kind.split('-')[0]}"
    save_columns(kind, path, c, xyp=("<f4",) * 3)
    return ev, path


@pytest.mark.parametrize("kind", ["npy", "npy-nx4", "h5", "npz", "txt"])
def test_subpixel_xy_are_read_as_their_pixels(tmp_path, kind):
    ev, path = _subpixel(tmp_path, kind)
    got, stats, rng = read_whole(path)
    assert len(got) == N and stats.get("corrupt_times", 0) == 0
    assert np.array_equal(got["x"], ev["x"]) and np.array_equal(got["y"], ev["y"])
    assert rng == (int(got["t"].min()), int(got["t"].max()))


def test_info_of_subpixel_npy_counts_every_event(tmp_path, capsys):
    _, path = _subpixel(tmp_path, "npy")
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"events      {N:,}" in out and "corrupt" not in out
