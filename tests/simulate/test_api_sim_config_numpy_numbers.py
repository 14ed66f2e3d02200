"""A SimConfig of numpy numbers (the kind checks take them: ``width=np.int64(64)``) writes its
files: the config stored as JSON beside the events was a TypeError ('Object of type int64 is
not JSON serializable') after the simulation, from inside the writer."""

from __future__ import annotations

import json

import h5py
import numpy as np

from evfocus_live.simulate import SimConfig, simulate_to_files


def test_numpy_numbers_are_stored_as_plain_json(tmp_path):
    cfg = SimConfig(width=np.int64(32), height=np.int32(24), duration_s=np.float32(0.05),
                    sigma_range=(np.float64(1.0), np.int64(2)))
    simulate_to_files(cfg, 0, tmp_path / "seq_00000", aedat4=False)
    with h5py.File(tmp_path / "seq_00000.h5") as f:
        stored = json.loads(f.attrs["sim_config"])
    assert stored["width"] == 32 and stored["height"] == 24
    assert stored["sigma_range"] == [1.0, 2]
