"""``evfocus ceiling``: options, progress, sequences given twice or too short."""

from __future__ import annotations

import pytest
from train_support import _GreyModel

from evfocus_live.train.synth import simulate_minimal


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_ceiling_bad_out_and_base_are_one_line_before_any_work(tmp_path, caplog):
    """--out naming a file ended in FileExistsError after the oracle's training; --base 0
    in a RuntimeError from conv2d."""
    from evfocus_live.train.ceiling import main

    seq = simulate_minimal(tmp_path / "seq_00000.h5", width=32, height=32, n_frames=5, seed=1)
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert main(["--test", str(seq), "--train", str(seq), "--minutes", "0.005", "--no-progress",
                 "--out", str(afile)]) == 2
    assert "--out" in caplog.text and "not a folder" in caplog.text and afile.read_text() == "x"
    caplog.clear()
    assert main(["--test", str(seq), "--train", str(seq), "--minutes", "0.005", "--no-progress", "--base", "0"]) == 2
    assert "--base must be >= 1" in caplog.text


def test_ceilings_show_progress_over_the_test_set(tmp_path, capsys):
    """Scoring the ceilings of a test set takes minutes (four Wiener filters and SSIMs per
    frame) and showed nothing; a progress bar now, off with progress=False (--no-progress)."""
    from evfocus_live.train.ceiling import evaluate_ceilings

    f = simulate_minimal(tmp_path / "seq_00000.h5", width=32, height=32, n_frames=6, sigma_range=(5, 6), seed=0)
    evaluate_ceilings([f], warmup=2, progress=True)
    assert "ceilings" in capsys.readouterr().err
    evaluate_ceilings([f], warmup=2, progress=False)
    assert "ceilings" not in capsys.readouterr().err


def test_ceiling_counts_a_sequence_given_twice_once(tmp_path):
    """--test DIR DIR/seq.h5 scored the sequence twice (double weight in every mean)."""
    import json

    from evfocus_live.train.ceiling import main

    data = tmp_path / "data"
    seq = simulate_minimal(data / "seq_00000.h5", width=32, height=32, n_frames=6, sigma_range=(5, 6), seed=0)
    out = tmp_path / "out"
    assert main(["--test", str(data), str(seq), "--no-progress", "--out", str(out)]) == 0
    res = json.loads((out / "ceiling.json").read_text())["results"]
    assert res["severe"]["defocused GT"]["n"] == 6 - 1 - 3  # frames after the 3 warm-up windows


def test_ceiling_scores_the_short_sequences_evaluate_scores(tmp_path):
    """A sequence of no more windows than the warm-up: `evfocus eval` scores its last window
    (it does not vanish from the table), the ceilings skipped it — an empty table, exit 0,
    for a test set of short sequences, and splits that did not match eval's."""
    from evfocus_live.train.ceiling import evaluate_ceilings
    from evfocus_live.train.evaluate import evaluate_ground_truth, shown_splits
    from evfocus_live.train.synth import simulate_minimal

    seq = simulate_minimal(tmp_path / "seq_00000.h5", width=48, height=40, n_frames=3, sigma_range=(5, 6), seed=1)
    gt, _ = evaluate_ground_truth({"grey": _GreyModel()}, [seq], warmup=3, progress=False)
    ceil = evaluate_ceilings([seq], warmup=3, nsrs=(0.01,), progress=False)
    assert list(ceil) == shown_splits(gt["splits"]) == ["severe"]
    ours, theirs = ceil["severe"]["defocused GT"], gt["splits"]["severe"]["defocused GT"]
    assert ours["n"] == theirs["n"] == 1 and ours["ssim"] == pytest.approx(theirs["ssim"])
