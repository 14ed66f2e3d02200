"""Second review of evaluation and benchmarks: fixes with a test each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import make_events
from evfocus_live import benchmark
from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import save_checkpoint
from evfocus_live.train.evaluate import evaluate, evaluate_real
from evfocus_live.train.synth import simulate_minimal
from evfocus_live.writers.hdf5 import Hdf5Writer

pytestmark = pytest.mark.usefixtures("one_torch_thread")

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _tiny_ckpt(path):
    torch.manual_seed(0)
    return str(save_checkpoint(path, EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1))))


def _recording_events(path, seed, n=20_000, duration_us=500_000, w=48, h=40):
    path.parent.mkdir(parents=True, exist_ok=True)
    ev = make_events(n, w, h, duration_us=duration_us, seed=seed)
    with Hdf5Writer(path, w, h, sensor="test") as wr:
        wr.write(ev)
    return ev


def test_eval_keeps_recordings_and_sequences_of_the_same_name_apart(tmp_path):
    """a/rec.h5 and b/rec.h5 were one row (the table was keyed by file name: one result
    lost); test_mild/seq_00000.h5 and test_severe/seq_00000.h5 read alike in report.json."""
    _recording_events(tmp_path / "a" / "rec.h5", 0)
    _recording_events(tmp_path / "b" / "rec.h5", 1)
    for split, sigma in (("mild", (0.5, 1)), ("severe", (5, 6))):
        simulate_minimal(tmp_path / split / "seq_00000.h5", width=48, height=40, n_frames=5, sigma_range=sigma, seed=1)
    rep = evaluate([_tiny_ckpt(tmp_path / "tiny.pt")], [str(tmp_path / d) for d in ("a", "b", "mild", "severe")],
                   warmup=1, max_windows=5, progress=False)
    assert sorted(rep["real"]) == ["a/rec.h5", "b/rec.h5"]
    assert rep["real"]["a/rec.h5"]["tiny"]["contrast"] != rep["real"]["b/rec.h5"]["tiny"]["contrast"]
    assert "| a/rec.h5 | tiny |" in rep["markdown"] and "| b/rec.h5 | tiny |" in rep["markdown"]
    assert sorted(s["sequence"] for s in rep["ground_truth"]["sequences"]) == ["mild/seq_00000.h5",
                                                                              "severe/seq_00000.h5"]


def test_eval_scores_a_file_given_twice_once(tmp_path):
    """--data DIR DIR (or DIR DIR/seq.h5) scored each sequence twice: double weight in every
    mean and a paired interval over duplicated sequences."""
    data = tmp_path / "data"
    simulate_minimal(data / "seq_00000.h5", width=48, height=40, n_frames=5, sigma_range=(0.5, 1), seed=1)
    _recording_events(data / "rec.h5", 0)
    ck = _tiny_ckpt(tmp_path / "tiny.pt")
    rep = evaluate([ck], [str(data), str(data), str(data / "seq_00000.h5"), str(data / "rec.h5")], warmup=1,
                   max_windows=5, progress=False)
    assert rep["ground_truth"]["splits"]["mild"]["tiny"]["n"] == 4 - 1
    assert len(rep["ground_truth"]["sequences"]) == 1 and list(rep["real"]) == ["rec.h5"]


class _StepModel:
    """Grey 0 for the first three windows after a reset, then grey 0.5: only the warm-up
    windows differ."""

    def reset_states(self):
        self.i = 0

    def __call__(self, x):
        self.i += 1
        v = 0.0 if self.i <= 3 else 0.5
        return {"image": torch.full((1, 1, *x.shape[-2:]), v)}


def test_real_recordings_honour_warmup(tmp_path):
    """evaluate_real skipped 3 windows whatever --warmup said: --warmup 0 scored the
    recordings' warm-up windows on the synthetic set only."""
    rec = tmp_path / "rec.h5"
    _recording_events(rec, 0)
    steady, _ = evaluate_real({"m": _StepModel()}, [rec], max_windows=8, brisque_frames=1, progress=False, warmup=3)
    cold, _ = evaluate_real({"m": _StepModel()}, [rec], max_windows=8, brisque_frames=1, progress=False, warmup=0)
    assert steady["rec.h5"]["m"]["flicker"] == 0.0
    assert cold["rec.h5"]["m"]["flicker"] > 0  # the jump from window 3 to 4 is scored now


def test_end_to_end_events_per_second_count_only_the_timed_frames(tmp_path):
    """mev_per_s divided the whole replay's events by the wall time of the timed frames only
    (here 10 of ~100 windows: ten times too high); it is the rate over the sensor time those
    frames covered times the real-time factor."""
    rate_ev_s = 1_000_000
    ev = make_events(rate_ev_s, 64, 48, duration_us=1_000_000)
    path = tmp_path / "replay.h5"
    with Hdf5Writer(path, 64, 48) as w:
        w.write(ev)
    (row,) = benchmark.bench_end_to_end({"64x48": {"events": ev, "path": path}}, "firenet", 10.0, 10,
                                        precisions=("fp32",))
    x = row.extra
    expected = rate_ev_s / 1e6 * x["realtime_factor"]
    assert x["frames"] == 10 and x["mev_per_s"] == pytest.approx(expected, rel=0.2, abs=0.02)


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


def _bench(script, *args, timeout=30):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, str(BENCH / script), *args], cwd=BENCH.parent, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("script, args", [
    ("soak.py", ["--minutes", "-1"]),  # ran, printed a row and exited 0
    ("soak.py", ["--interval-s", "0", "--minutes", "0.01"]),  # printed rows in a busy loop
    ("soak.py", ["--minutes", "abc"]),  # argparse's usage block: several lines
    ("bench_simulate.py", ["--sequences", "0"]),  # AssertionError minutes in, after the other benches
    ("bench_simulate.py", ["--workers", "0"]),
    ("bench_simulate.py", ["--duration", "0"]),
    ("bench_simulate.py", ["--json", "."]),  # a folder: IsADirectoryError at the very end
    # a ConfigError traceback after the replays were built
    ("bench_gpu.py", ["--device", "cpu", "--precisions", "fp8", "--seconds", "0.2", "--no-live"]),
    ("bench_gpu.py", ["--device", "cpu", "--precisions", "fp16", "--seconds", "0.2", "--no-live"]),
], ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_soak_simulate_and_gpu_bench_refuse_bad_options_in_one_line(script, args):
    r = _bench(script, *args)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "Traceback" not in r.stderr, (r.returncode, r.stderr)
    assert err[0].startswith(f"{script}: error:") and not r.stdout.strip(), (err, r.stdout)


def test_soak_speed_zero_is_as_fast_as_possible():
    sys.path.insert(0, str(BENCH))
    try:
        import soak
    finally:
        sys.path.remove(str(BENCH))
    assert soak.speed("0") == 0.0 and soak.speed("5.6") == 5.6
    assert np.isfinite(soak.speed("1e-3"))


def test_paired_interval_of_one_sequence_is_undefined_not_certain():
    """One sequence gave the "interval" [d, d]: zero width, excluding 0, read as a measurable
    difference. Now NaN ("–" in the report, null in the JSON); two or more keep theirs."""
    import math

    from evfocus_live.train.evaluate import markdown_report, paired_differences

    one = [{"split": "severe", "a": {"ssim": 0.7, "mse": 0.01}, "b": {"ssim": 0.6, "mse": 0.02}}]
    r = paired_differences(one, "a", "b")["severe"]
    assert r["mean"] == pytest.approx(0.1) and math.isnan(r["lo"]) and math.isnan(r["hi"])
    two = one + [{"split": "severe", "a": {"ssim": 0.65, "mse": 0.01}, "b": {"ssim": 0.6, "mse": 0.02}}]
    r2 = paired_differences(two, "a", "b")["severe"]
    assert 0.05 <= r2["lo"] < r2["hi"] <= 0.1
    gt = {"splits": {}, "paired": {"b": {m: paired_differences(one, "a", "b", m) for m in ("ssim", "mse")}}}
    row = next(line for line in markdown_report(gt, None, ["a", "b"]).splitlines() if line.startswith("| severe | a − b"))
    assert "| – |" in row and "nan" not in row


def test_focus_readout_feeds_each_model_voxels_of_its_own_num_bins(tmp_path, capsys):
    """bench/focus_readout.py built 5-bin voxel grids for every model: a 3-bin checkpoint
    ended in conv2d's RuntimeError."""
    import runpy

    from conftest import TINY
    from evfocus_live.nn.registry import build_model, save_checkpoint

    script = runpy.run_path(str(BENCH / "focus_readout.py"))
    ckpt = str(save_checkpoint(tmp_path / "b3.pt", build_model("evfocus", dict(TINY, sigma_head=4, num_bins=3)), {}))
    assert script["main"](["--models", ckpt, "--scenes", "text", "--knobs", "0.0", "--seconds", "0.2"]) == 0
    assert capsys.readouterr().out.count("| text |") == 1


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
