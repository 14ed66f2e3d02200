"""Third round of fixes to checkpoints, cards, evaluation and two bench scripts: a test each."""

from __future__ import annotations

import json
import math
import re
import runpy
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import TINY, make_events
from evfocus_live.errors import CheckpointError
from evfocus_live.nn.registry import build_model, load_model, save_checkpoint, sha256_file
from evfocus_live.train import metrics as M
from evfocus_live.train.evaluate import evaluate
from evfocus_live.train.synth import simulate_minimal
from evfocus_live.writers.hdf5 import Hdf5Writer

pytestmark = pytest.mark.usefixtures("one_torch_thread")

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _tiny_ckpt_cfg(path, **extra_cfg):
    torch.manual_seed(0)
    return str(save_checkpoint(path, build_model("evfocus", dict(TINY, **extra_cfg)), {"step": 1}))


def _seeded_recording(path, seed, n=20_000, w=48, h=40):
    path.parent.mkdir(parents=True, exist_ok=True)
    with Hdf5Writer(path, w, h, sensor="test") as wr:
        wr.write(make_events(n, w, h, duration_us=500_000, seed=seed))


# --- 1. checkpoint errors -------------------------------------------------------------------

def test_truncated_checkpoint_error_keeps_whole_sentences(tmp_path):
    """A truncated .pt said "(... central directory. This is an internal miniz error. If yo)":
    a fixed 120-character cut. It now gives torch's first sentence, whole."""
    good = Path(_tiny_ckpt_cfg(tmp_path / "good.pt"))
    bad = tmp_path / "cut.pt"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(Exception) as raw:  # torch's own text, to compare against
        torch.load(bad, weights_only=True)
    first = re.split(r"(?<=\.)\s+", str(raw.value).strip().splitlines()[0])[0].rstrip(".")
    with pytest.raises(CheckpointError) as exc:
        load_model(str(bad))
    msg = str(exc.value)
    assert len(msg.splitlines()) == 1 and msg.endswith(f"({first})"), msg


def test_missing_checkpoint_is_named_as_given(tmp_path, monkeypatch):
    """--model ./nonexist.pt said "checkpoint not found: nonexist.pt" (the path as pathlib
    normalised it); ~ is still expanded to look, not in the message."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    for given in ("./nonexist.pt", "~/nonexist.pt"):
        with pytest.raises(CheckpointError, match=rf"^checkpoint not found: {re.escape(given)}$"):
            load_model(given)
    Path(_tiny_ckpt_cfg(tmp_path / "here.pt"))
    assert load_model("~/here.pt") is not None  # found through ~


# --- 2. the card ships weights only ---------------------------------------------------------

def test_card_from_a_resumable_last_pt_ships_weights_only(tmp_path, monkeypatch):
    """card NAME RUN/last.pt copied the optimiser and data-order state into models/ (3x the
    size); a weights-only file (final.pt) is still copied byte for byte."""
    from evfocus_live.nn.registry import read_checkpoint
    from evfocus_live.train.card import write_card

    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(tmp_path / "models"))
    torch.manual_seed(0)
    model = build_model("evfocus", TINY)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    model(torch.rand(1, 5, 32, 32))["image"].mean().backward()
    opt.step()
    run = tmp_path / "run"
    last = save_checkpoint(run / "last.pt", model, {"step": 1},
                           extra={"optimizer": opt.state_dict(), "data_state": {"epoch": 0, "batches": 1}})
    final = save_checkpoint(run / "final.pt", model, {"step": 1})

    card = write_card("from-last", last, None, None, "from-last")
    shipped = tmp_path / "models" / "from-last.pt"
    ck = torch.load(shipped, weights_only=True)
    assert set(ck) == {"arch", "config", "state_dict", "meta"}
    ref = read_checkpoint(final)
    assert all(torch.equal(ck["state_dict"][k], v) for k, v in ref["state_dict"].items())
    assert shipped.stat().st_size < 0.6 * last.stat().st_size
    assert f"sha256: `{sha256_file(shipped)}`" in card.read_text()

    write_card("from-final", final, None, None, "from-final")
    assert sha256_file(tmp_path / "models" / "from-final.pt") == sha256_file(final)


# --- 3. evfocus eval: flicker of one window, Ctrl-C -----------------------------------------

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


# --- 4. bench scripts -----------------------------------------------------------------------

def test_bench_simulate_refuses_recipe_options_with_skip_recipe(capsys):
    """--sequences / --duration / --workers set only the recipe step: with --skip-recipe they
    did nothing, silently (and had no help text)."""
    script = runpy.run_path(str(BENCH / "bench_simulate.py"))
    main = script["main"]

    def no_bench(*a, **kw):
        raise AssertionError("benchmarked despite refused options")

    main.__globals__.update(bench_offline=no_bench, bench_live=no_bench, bench_camera=no_bench)
    assert main(["--skip-recipe", "--sequences", "3"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--sequences only sets the recipe step" in err
    with pytest.raises(SystemExit):
        main(["--help"])
    helptext = capsys.readouterr().out
    assert all(re.search(rf"--{opt} \w+\s+\S", helptext) for opt in ("sequences", "duration", "workers")), helptext


def test_focus_readout_with_one_knob_prints_no_nan(tmp_path, capsys):
    """One knob: one true blur, so no correlation: it printed "correlation nan"."""
    main = runpy.run_path(str(BENCH / "focus_readout.py"))["main"]
    ckpt = _tiny_ckpt_cfg(tmp_path / "t.pt", sigma_head=4)
    assert main(["--models", ckpt, "--scenes", "text", "--knobs", "0.5", "--seconds", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "nan" not in out and "correlation –" in out and "at least two different true blurs" in out
