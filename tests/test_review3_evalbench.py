"""Third review of evaluation and benchmarks (a lab user's runs): fixes with a test each."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from conftest import make_events
from evfocus_live.train.evaluate import evaluate, evaluate_real
from evfocus_live.writers.hdf5 import Hdf5Writer

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class _GreyModel:
    """A flat grey frame per window (no weights: the grids and reports, not a network, are tested)."""

    def reset_states(self):
        pass

    def __call__(self, x):
        return {"image": torch.full((1, 1, *x.shape[-2:]), 0.5)}


def _recording(path, w=48, h=40, n=20_000, seed=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    with Hdf5Writer(path, w, h, sensor="test") as wr:
        wr.write(make_events(n, w, h, duration_us=500_000, seed=seed))
    return path


def _yellow_px(img: np.ndarray) -> int:
    """Pixels of the labels' yellow text (BGR 0,255,255), give or take antialiasing."""
    b, g, r = img[..., 0].astype(int), img[..., 1].astype(int), img[..., 2].astype(int)
    return int(((g > 200) & (r > 200) & (b < 100)).sum())


def test_real_grid_labels_stay_legible_on_wide_rows(tmp_path):
    """A 1280x720 recording with six models made an 8960-px row shrunk to 1600 px after the
    labels were drawn: the model names became a smudge of a few pixels. The tiles are shrunk
    first, then labelled, so each label keeps its full size."""
    narrow = _recording(tmp_path / "narrow.h5", w=200, h=60)
    wide = _recording(tmp_path / "wide.h5", w=1280, h=150, n=100_000)
    models = {f"model{i}": _GreyModel() for i in range(6)}
    _, (row_narrow,) = evaluate_real(models, [narrow], max_windows=4, brisque_frames=1, progress=False, warmup=0)
    _, (row_wide,) = evaluate_real(models, [wide], max_windows=4, brisque_frames=1, progress=False, warmup=0)
    assert row_wide.shape[1] <= 1600
    # the six model labels read the same on the shrunk row as on a row that needed no shrinking
    tile_w = row_wide.shape[1] // 7
    tile_n = row_narrow.shape[1] // 7
    label_wide = _yellow_px(row_wide[:, tile_w:])
    label_narrow = _yellow_px(row_narrow[:, tile_n:])
    assert label_wide >= 0.8 * label_narrow > 0


def test_eval_out_reused_drops_the_previous_runs_grid(tmp_path):
    """--out reused by a run on recordings only kept the earlier run's grid_synthetic.png
    beside the new report.md: a grid of other models and data that passed for this run's."""
    out = tmp_path / "report"
    out.mkdir()
    (out / "grid_synthetic.png").write_bytes(b"an earlier run's grid")
    rec = _recording(tmp_path / "rec.h5")
    evaluate([_tiny_firenet(tmp_path / "tiny.pt")], [str(rec)], out, warmup=0, max_windows=4, progress=False)
    assert sorted(p.name for p in out.iterdir()) == ["grid_real.png", "report.json", "report.md"]


def test_bench_ctrl_c_keeps_the_stages_already_measured(tmp_path, monkeypatch, capsys):
    """Ctrl-C minutes into `evfocus bench` printed only "interrupted": every stage already
    timed was lost. The finished stages are printed and written to -o, and the exit is 130."""
    from evfocus_live import benchmark
    from evfocus_live.cli import main

    def interrupt(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(benchmark, "make_replays", lambda tmp, seconds: {})
    monkeypatch.setattr(benchmark, "bench_read",
                        lambda replays, repeats: [benchmark.Row("read", "346x260", 95.0, "Mev/s")])
    monkeypatch.setattr(benchmark, "bench_voxel", interrupt)
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "-o", str(out)]) == 130
    assert "| read | 346x260 |  | 95.00 | Mev/s |" in capsys.readouterr().out
    saved = json.loads(out.read_text())
    assert saved["interrupted"] is True and [r["stage"] for r in saved["rows"]] == ["read"]
    # interrupted before any stage was done: nothing to show, as before
    monkeypatch.setattr(benchmark, "bench_read", interrupt)
    assert main(["bench", "--quick"]) == 130


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


def _tiny_firenet_model():
    from evfocus_live.nn.firenet import FireNet

    torch.manual_seed(0)
    return FireNet(dict(base=4)).eval()


def _tiny_firenet(path):
    from evfocus_live.nn.registry import save_checkpoint

    return str(save_checkpoint(path, _tiny_firenet_model()))


@pytest.mark.parametrize("flag", [["eval", "--no-progress"], ["-q", "eval"]])
def test_eval_progress_bars_can_be_turned_off(tmp_path, capsys, flag):
    """`evfocus eval` drew its tqdm bars into every log and CI transcript, whatever -q said
    (reconstruct and train have --no-progress, simulate honours -q)."""
    from evfocus_live.cli import main

    rec = _recording(tmp_path / "rec.h5")
    assert main([*flag, "--models", _tiny_firenet(tmp_path / "tiny.pt"), "--data", str(rec),
                 "--warmup", "0", "--max-windows", "3"]) == 0
    out, err = capsys.readouterr()
    assert "| rec.h5 | tiny |" in out and "eval (real)" not in err


def test_eval_reads_only_the_events_its_windows_need(tmp_path, monkeypatch):
    """evaluate_real read a whole recording into memory to score its first 60 windows: 1.2 GB
    for 30 M events, so an hour-long recording ran out of memory. It stops reading once the
    windows are there; the scores are those of the whole file's first windows."""
    import evfocus_live.sources as sources

    rec = _recording(tmp_path / "rec.h5", n=1_200_000)  # 48x40: windows of 672 events; 3 read batches
    read = []
    real_open = sources.open_file

    class Counting:
        def __init__(self, src):
            self.src = src

        def __getattr__(self, name):
            return getattr(self.src, name)

        def read(self):
            b = self.src.read()
            read.append(0 if b is None else len(b))
            return b

    monkeypatch.setattr(sources, "open_file", lambda p, *a, **k: Counting(real_open(p, *a, **k)))
    table, _ = evaluate_real({"grey": _GreyModel()}, [rec], max_windows=4, brisque_frames=1, progress=False, warmup=0)
    assert table["rec.h5"]["grey"]["windows"] == 4
    assert sum(read) <= 1 << 19  # one read batch holds the 12 windows (the fewest a recording is cut into)
    # the first events of the whole file: the same windows
    from evfocus_live.train.evaluate import _read_events

    ev, w, h = _read_events(rec)
    assert len(ev) == 1_200_000 and w == 48
    ev12, _, _ = _read_events(rec, 12)
    assert len(ev12) == 12 * 672 and (ev12 == ev[:12 * 672]).all()


def test_niqe_of_a_flat_frame_is_undefined_as_brisque_is(tmp_path):
    """A model collapsed to a blank grey frame got NIQE ~28 (skvideo's fallback for flat
    patches), ahead of real reconstructions (the pegboard's ~32): "NIQE ↓" ranked the
    collapse better. It is NaN, "–" in the report, as BRISQUE already was."""
    import math

    from evfocus_live.train import metrics as M

    for v in (0, 128, 255):
        assert math.isnan(M.niqe(np.full((200, 240), v, np.uint8)))
    textured = (np.random.default_rng(0).random((200, 240)) * 255).astype(np.uint8)
    assert math.isfinite(M.niqe(textured))
    rec = _recording(tmp_path / "rec.h5", w=200, h=200, n=200_000)
    table, _ = evaluate_real({"grey": _GreyModel()}, [rec], max_windows=3, brisque_frames=1, progress=False, warmup=0)
    assert math.isnan(table["rec.h5"]["grey"]["niqe"]) and math.isnan(table["rec.h5"]["grey"]["brisque"])


def test_bench_threads_hold_through_the_end_to_end_stage(tmp_path, monkeypatch):
    """`evfocus bench --threads 2` timed its end-to-end rows with the pipeline's default 1
    thread (the pipeline set it), and the machine line then said "(1 threads)" for the
    whole run. The end-to-end stage runs with the threads asked for and says so."""
    import os

    from evfocus_live import benchmark

    for stage in ("bench_read", "bench_voxel", "bench_models", "bench_runtime", "bench_post_and_display"):
        monkeypatch.setattr(benchmark, stage, lambda *a, **k: [])

    def replays(tmp, seconds):
        ev = make_events(200_000, 64, 48, duration_us=1_000_000)
        with Hdf5Writer(tmp / "r.h5", 64, 48) as wr:
            wr.write(ev)
        return {"64x48": {"events": ev, "path": tmp / "r.h5", "width": 64, "height": 48}}

    monkeypatch.setattr(benchmark, "make_replays", replays)
    monkeypatch.setattr(benchmark, "_model_list", lambda names: [("firenet", _tiny_firenet_model())])
    res = benchmark.run(quick=True, threads=2)
    n = min(2, os.cpu_count() or 1)
    assert res["machine"]["torch_threads"] == n
    assert [r["threads"] for r in res["rows"] if r["stage"] == "end to end (replay)"][0] == n
