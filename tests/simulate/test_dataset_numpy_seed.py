"""``simulate_dataset`` with a numpy integer seed (a seed drawn with numpy) made every
sequence, then failed writing dataset.json: 'Object of type int64 is not JSON serializable'."""

from __future__ import annotations

import json

import numpy as np

from evfocus_live.simulate.sequence import SimConfig, simulate_dataset


def test_a_numpy_seed_writes_the_dataset_json(tmp_path):
    cfg = SimConfig(duration_s=0.05, width=32, height=24)
    manifest = simulate_dataset(cfg, tmp_path / "ds", 1, np.int64(3), aedat4=False, progress=False)
    saved = json.loads((tmp_path / "ds" / "dataset.json").read_text())
    assert saved["seed"] == 3 and type(manifest["seed"]) is int
