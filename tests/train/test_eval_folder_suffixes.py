"""`evfocus eval --data FOLDER` picked recordings by a list of its own: a folder of .csv
recordings (which `--data rec.csv` reads) was "no evaluable data", and a .dat file (no reader
has one) was picked and always skipped. It now takes the readers' own extensions."""

from __future__ import annotations

import numpy as np
from conftest import make_events

from evfocus_live.sources import file_extensions
from evfocus_live.train.evaluate import event_suffixes, expand_data


def test_a_folder_of_csv_recordings_is_evaluated(tmp_path):
    ev = make_events(300, seed=1)
    rows = np.stack([ev["t"], ev["x"], ev["y"], ev["p"]], 1)
    np.savetxt(tmp_path / "rec.csv", rows, fmt="%d", delimiter=",")
    (tmp_path / "old.dat").write_bytes(b"% Prophesee DAT\n" + bytes(16))
    gt, real = expand_data([str(tmp_path)])
    assert gt == [] and [p.name for p in real] == ["rec.csv"]


def test_eval_suffixes_are_the_readers():
    assert set(event_suffixes()) == set(file_extensions())
