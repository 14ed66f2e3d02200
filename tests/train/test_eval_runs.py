"""``evfocus eval`` runs: what is scored and how, its grids and reports, progress, devices, Ctrl-C."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from conftest import make_events
from train_support import _GreyModel, _tiny_ckpt_cfg, _tiny_firenet_model

from evfocus_live.errors import ConfigError
from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import save_checkpoint
from evfocus_live.train import metrics as M
from evfocus_live.train.evaluate import evaluate, evaluate_real
from evfocus_live.train.synth import simulate_minimal
from evfocus_live.writers.hdf5 import Hdf5Writer


def _recording(path, w=48, h=40, n=20_000, seed=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    with Hdf5Writer(path, w, h, sensor="test") as wr:
        wr.write(make_events(n, w, h, duration_us=500_000, seed=seed))
    return path


def _yellow_px(img: np.ndarray) -> int:
    """Pixels of the labels' yellow text (BGR 0,255,255), give or take antialiasing."""
    b, g, r = img[..., 0].astype(int), img[..., 1].astype(int), img[..., 2].astype(int)
    return int(((g > 200) & (r > 200) & (b < 100)).sum())


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
def test_eval_out_reused_drops_the_previous_runs_grid(tmp_path):
    """--out reused by a run on recordings only kept the earlier run's grid_synthetic.png
    beside the new report.md: a grid of other models and data that passed for this run's."""
    out = tmp_path / "report"
    out.mkdir()
    (out / "grid_synthetic.png").write_bytes(b"an earlier run's grid")
    rec = _recording(tmp_path / "rec.h5")
    evaluate([_tiny_firenet(tmp_path / "tiny.pt")], [str(rec)], out, warmup=0, max_windows=4, progress=False)
    assert sorted(p.name for p in out.iterdir()) == ["grid_real.png", "report.json", "report.md"]


def _tiny_firenet(path):
    from evfocus_live.nn.registry import save_checkpoint

    return str(save_checkpoint(path, _tiny_firenet_model()))


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
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


def _seeded_recording(path, seed, n=20_000, w=48, h=40):
    path.parent.mkdir(parents=True, exist_ok=True)
    with Hdf5Writer(path, w, h, sensor="test") as wr:
        wr.write(make_events(n, w, h, duration_us=500_000, seed=seed))


@pytest.mark.usefixtures("one_torch_thread")
def test_flicker_of_one_scored_window_is_not_a_perfect_score(tmp_path):
    """--max-windows <= warm-up + 1 scores one window per recording: its flicker read 0.00
    (no flicker at all); it is NaN, "–" in the table and null in report.json."""
    assert math.isnan(M.temporal_flicker([np.zeros((4, 4), np.uint8)]))
    _seeded_recording(tmp_path / "rec.h5", 0)
    out = tmp_path / "report"
    rep = evaluate([_tiny_ckpt_cfg(tmp_path / "tiny.pt")], [str(tmp_path / "rec.h5")], out, warmup=3, max_windows=2,
                   progress=False)
    assert math.isnan(rep["real"]["rec.h5"]["tiny"]["flicker"])
    row = next(ln for ln in rep["markdown"].splitlines() if ln.startswith("| rec.h5 | tiny |"))
    assert row.split("|")[8].strip() == "–", row  # recording, model, BRISQUE, NIQE, sharpness, contrast, noise, flicker
    assert json.loads((out / "report.json").read_text())["real"]["rec.h5"]["tiny"]["flicker"] is None


class _CtrlCModel:
    """Grey frames; Ctrl-C at the ``stop_at``-th reset (one reset per sequence or recording)."""

    def __init__(self, stop_at):
        self.resets, self.stop_at = 0, stop_at

    def reset_states(self):
        self.resets += 1
        if self.resets == self.stop_at:
            raise KeyboardInterrupt

    def __call__(self, x):
        return {"image": torch.full((1, 1, *x.shape[-2:]), 0.5)}


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("stop_at, sequences, recordings", [(2, 1, 0), (4, 2, 1)])
def test_ctrl_c_during_eval_writes_what_was_finished(tmp_path, monkeypatch, capsys, stop_at, sequences, recordings):
    """Ctrl-C lost every result computed so far (a traceback-free exit 130, no report); the
    report of the finished sequences and recordings is now written and printed, marked."""
    import evfocus_live.nn.registry as registry
    from evfocus_live.cli import main

    data = tmp_path / "data"
    for i in range(2):
        simulate_minimal(data / f"seq_{i:05d}.h5", width=48, height=40, n_frames=5, sigma_range=(0.5, 1), seed=i)
        _seeded_recording(data / f"rec{i}.h5", i)
    monkeypatch.setattr(registry, "load_model", lambda name, device="cpu": _CtrlCModel(stop_at))
    out = tmp_path / "report"
    assert main(["eval", "--models", "m", "--data", str(data), "--out", str(out), "--warmup", "1",
                 "--max-windows", "4", "--no-progress"]) == 130
    rep = json.loads((out / "report.json").read_text())
    assert len(rep["ground_truth"]["sequences"]) == sequences
    assert len(rep.get("real") or {}) == recordings
    assert rep["interrupted"] and "Interrupted (Ctrl-C)" in (out / "report.md").read_text()
    captured = capsys.readouterr()
    assert "Interrupted (Ctrl-C)" in captured.out and "interrupted" in captured.err
    if sequences:  # the finished sequence's frames, none of the interrupted one's
        assert rep["ground_truth"]["splits"]["all"]["m"]["n"] == sequences * (5 - 1 - 1)


def _tiny_ckpt(path):
    torch.manual_seed(0)
    return str(save_checkpoint(path, EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1))))


def _recording_events(path, seed, n=20_000, duration_us=500_000, w=48, h=40):
    path.parent.mkdir(parents=True, exist_ok=True)
    ev = make_events(n, w, h, duration_us=duration_us, seed=seed)
    with Hdf5Writer(path, w, h, sensor="test") as wr:
        wr.write(ev)
    return ev


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
def test_real_recordings_honour_warmup(tmp_path):
    """evaluate_real skipped 3 windows whatever --warmup said: --warmup 0 scored the
    recordings' warm-up windows on the synthetic set only."""
    rec = tmp_path / "rec.h5"
    _recording_events(rec, 0)
    steady, _ = evaluate_real({"m": _StepModel()}, [rec], max_windows=8, brisque_frames=1, progress=False, warmup=3)
    cold, _ = evaluate_real({"m": _StepModel()}, [rec], max_windows=8, brisque_frames=1, progress=False, warmup=0)
    assert steady["rec.h5"]["m"]["flicker"] == 0.0
    assert cold["rec.h5"]["m"]["flicker"] > 0  # the jump from window 3 to 4 is scored now


@pytest.mark.usefixtures("one_torch_thread")
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


def test_eval_refuses_a_bad_device_before_any_model_runs(tmp_path, monkeypatch):
    """``evfocus eval --device gpu`` got as far as loading each model; now it is the same
    one-line check as the other commands, and ``CUDA:1`` is read as ``cuda:1``."""
    from evfocus_live.cli import build_parser
    from evfocus_live.cli import evaluate as ev_cli
    from evfocus_live.train import evaluate as ev_mod

    seen = {}
    monkeypatch.setattr(ev_mod, "evaluate", lambda *a, **k: seen.update(k) or {"markdown": ""})
    args = build_parser().parse_args(["eval", "--data", str(tmp_path), "--device", "gpu"])
    with pytest.raises(ConfigError, match="not a device"):
        ev_cli.run(args)
    assert not seen
    args = build_parser().parse_args(["eval", "--data", str(tmp_path), "--device", "CUDA:1"])
    try:
        ev_cli.run(args)
    except Exception:  # the stub's report is not a full one: only the device handed on matters
        pass
    assert seen.get("device") == "cuda:1"
