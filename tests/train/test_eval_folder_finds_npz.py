"""``evfocus eval --data FOLDER`` evaluates the folder's event recordings: .npz archives,
readable now, were passed over as "other files"."""

from __future__ import annotations

import numpy as np
from conftest import make_events

from evfocus_live.train.evaluate import expand_data


def test_a_folder_of_npz_recordings_is_evaluated(tmp_path):
    ev = make_events(500, seed=2)
    for name in ("a.npz", "b.npy"):
        (np.savez if name.endswith(".npz") else np.save)(tmp_path / name, ev)
    (tmp_path / "notes.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    gt, real = expand_data([str(tmp_path)])
    assert gt == [] and sorted(p.name for p in real) == ["a.npz", "b.npy"]
