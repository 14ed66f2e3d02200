"""grid_synthetic.png showed one frame a split with no word of which: a figure made from it
could not name its source. report.json (`ground_truth.grid`) and report.md say, per row, the
sequence and the ground-truth time shown."""

from __future__ import annotations

from train_support import _GreyModel

from evfocus_live.train.evaluate import evaluate_ground_truth, markdown_report
from evfocus_live.train.synth import simulate_minimal


def test_each_grid_row_names_its_sequence_and_time(tmp_path):
    mild = simulate_minimal(tmp_path / "a" / "seq_00000.h5", width=48, height=40, n_frames=6,
                            sigma_range=(0.5, 0.5), seed=1)
    severe = simulate_minimal(tmp_path / "b" / "seq_00000.h5", width=48, height=40, n_frames=6,
                              sigma_range=(6.0, 6.0), seed=2)
    res, rows = evaluate_ground_truth({"grey": _GreyModel()}, [mild, severe], warmup=0, progress=False)
    assert [(g["split"], g["sequence"]) for g in res["grid"]] == [("mild", "a/seq_00000.h5"),
                                                                  ("severe", "b/seq_00000.h5")]
    assert len(rows) == 2 and all(g["t_us"] == res["grid"][0]["t_us"] > 0 for g in res["grid"])
    md = markdown_report(res, None, ["grey"])
    assert "mild: a/seq_00000.h5 (t = " in md and "severe: b/seq_00000.h5" in md
