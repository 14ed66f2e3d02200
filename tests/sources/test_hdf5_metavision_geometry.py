"""Metavision's HDF5 files give the sensor size in a root ``geometry`` attribute ("1280x720"):
a scene that leaves the sensor's right or bottom edge dark must not shrink the size."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from evfocus_live.cli import main
from evfocus_live.sources import open_file

_CD = np.dtype([("x", "<u2"), ("y", "<u2"), ("p", "<i2"), ("t", "<i8")])


def _metavision_h5(path, geometry):
    cd = np.zeros(400, _CD)
    cd["x"] = np.arange(400) % 300  # a scene in the top-left of a 1280x720 sensor
    cd["y"] = np.arange(400) % 200
    cd["p"] = np.arange(400) % 2
    cd["t"] = np.arange(400) * 50
    with h5py.File(path, "w") as f:
        f.create_dataset("CD/events", data=cd, chunks=(128,))
        f.attrs["geometry"] = geometry
        f.attrs["format"] = "EVT3"
    return path


@pytest.mark.parametrize("geometry", ["1280x720", b"1280x720", "1280 x 720"])
def test_metavision_geometry_gives_the_sensor_size(tmp_path, geometry):
    src = open_file(_metavision_h5(tmp_path / "rec.hdf5", geometry))
    with src:
        assert src.format == "hdf5-prophesee"
        assert src.resolution == (1280, 720)


def test_info_shows_the_geometry_size(tmp_path, capsys):
    assert main(["info", str(_metavision_h5(tmp_path / "rec.hdf5", "1280x720"))]) == 0
    assert "1280 x 720" in capsys.readouterr().out


def test_a_malformed_geometry_falls_back_to_the_data(tmp_path):
    with open_file(_metavision_h5(tmp_path / "rec.hdf5", "unknown")) as src:
        assert src.resolution == (300, 200)
