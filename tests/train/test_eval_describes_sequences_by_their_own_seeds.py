"""report.json's `gt_data` (and the model card after it) took seeds and options from the
folder's dataset.json, which names whatever run wrote it: sequences copied into a folder from
other runs (a test set assembled from a mild and a severe run) were described with that run's
seeds and blur range. Each sequence's own attributes say them now; a folder of several
configs gets one entry per config."""

from __future__ import annotations

import shutil

from evfocus_live.simulate import SimConfig
from evfocus_live.simulate.sequence import simulate_dataset
from evfocus_live.train.evaluate import describe_gt_data


def _run(folder, seed, sigma):
    cfg = SimConfig(width=32, height=24, duration_s=0.05, sigma_range=sigma)
    simulate_dataset(cfg, folder, 2, seed=seed, aedat4=False, progress=False)


def test_sequences_copied_over_another_runs_are_described_as_they_were_made(tmp_path):
    _run(tmp_path / "test", 5, (0.0, 1.0))
    _run(tmp_path / "severe", 300, (4.0, 7.0))
    shutil.copy(tmp_path / "severe" / "seq_00001.h5", tmp_path / "test" / "seq_00001.h5")
    d = describe_gt_data(sorted((tmp_path / "test").glob("seq_*.h5")))
    got = sorted((e["seeds"], e["sigma_range"], e["sequences"]) for e in d)
    assert got == [([5], [0.0, 1.0], 1), ([301], [4.0, 7.0], 1)], d


def test_one_run_is_one_entry(tmp_path):
    _run(tmp_path / "test", 5, (0.0, 1.0))
    (d,) = describe_gt_data(sorted((tmp_path / "test").glob("seq_*.h5")))
    assert d["seeds"] == [5, 6] and d["resolution"] == "32x24" and d["sequences"] == 2
