"""A file without a sensor size (``.npy``, ``.npz``, HDF5 without attributes) takes max x/y + 1
of its events: one x changed by a flipped byte (100 -> 1124) made a 346 x 260 recording 1125
wide, in silence (frames mostly empty), and one changed to 40000 refused the whole file as
"invalid sensor size 40001x60001". A few events far beyond the rest are corrupt values: the
size comes from the others, one warning says so, and those events are dropped and counted."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from conftest import make_events
from reader_support import _save

from evfocus_live.sources import open_file


@pytest.mark.parametrize("kind", ["npy", "npz", "h5"])
@pytest.mark.parametrize("x_bad, y_bad", [(1124, 700), (40_000, 60_000)])
def test_a_few_far_x_y_values_do_not_make_the_sensor(tmp_path, caplog, kind, x_bad, y_bad):
    ev = make_events(20_000, seed=4)
    ev["x"][500], ev["y"][9000] = x_bad, y_bad
    path = tmp_path / f"ev.{kind}"
    _save(kind, path, ev)
    with caplog.at_level(logging.WARNING):
        with open_file(path) as src:
            assert (src.width, src.height) == (346, 260)
            got = np.concatenate(list(src))
            assert src.stats["dropped"] == 2
    assert np.array_equal(got, np.delete(ev, [500, 9000]))
    said = [r.getMessage() for r in caplog.records if "far beyond" in r.getMessage()]
    assert len(said) == 2 and f"up to {x_bad}" in said[0] and f"up to {y_bad}" in said[1], said


def test_sparse_edges_and_tiny_files_keep_max_plus_one(tmp_path):
    """Events that thin out towards the sensor's edge, and a file of a few events, are no strays."""
    ev = make_events(2000, width=100, seed=5)
    edge = make_events(30, seed=6)
    edge["x"] = np.linspace(100, 345, 30).astype(np.uint16)
    ev = np.sort(np.concatenate([ev, edge]), order="t")
    np.save(tmp_path / "edge.npy", ev)
    with open_file(tmp_path / "edge.npy") as src:
        assert (src.width, src.height) == (346, 260)
    tiny = make_events(3, seed=7)
    tiny["x"] = [0, 1, 300]
    np.save(tmp_path / "tiny.npy", tiny)
    with open_file(tmp_path / "tiny.npy") as src:
        assert src.width == 301
