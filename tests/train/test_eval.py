"""Evaluation: metric definitions, blur-level splits, report files on a tiny synthetic set
and no-reference metrics on a real recording."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import torch

from conftest import REAL_FILES
from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import save_checkpoint
from evfocus_live.train import metrics as M
from evfocus_live.train.evaluate import blur_level, evaluate, evaluate_real, expand_data, markdown_report
from evfocus_live.train.synth import simulate_minimal


#: the tiny models here run far faster on one thread than on two contended ones
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _texture(seed=0, h=96, w=128):
    rng = np.random.default_rng(seed)
    img = cv2.resize(rng.uniform(0, 255, (h // 4, w // 4)).astype(np.float32), (w, h), interpolation=cv2.INTER_NEAREST)
    return img.astype(np.uint8)


def test_full_reference_metrics():
    a = np.full((32, 32), 100, np.uint8)
    b = a.copy()
    b[:16] = 110
    assert M.mse(a, b) == pytest.approx(0.5 * (10 / 255) ** 2)
    assert M.psnr(a, b) == pytest.approx(10 * np.log10(1 / M.mse(a, b)))
    t = _texture()
    assert M.ssim(t, t) == pytest.approx(1.0)
    assert M.psnr(t, t) == M.PSNR_MAX_DB  # capped, so means over frames stay finite
    assert M.ssim(t, cv2.GaussianBlur(t, (0, 0), 3)) < 0.8


def test_mean_matched_mse_ignores_overall_brightness():
    """A brighter copy of the frame is all brightness error (mean matched: 0); a structural
    error survives the matching; a flat frame at any level keeps the scene's variance."""
    t = (_texture() * 0.75).astype(np.uint8)  # <= 191: room to brighten without clipping
    brighter = t + np.uint8(60)
    assert M.mse(brighter, t) > 0.05
    assert M.mse_mean_matched(brighter, t) == pytest.approx(0, abs=1e-12)
    shuffled = np.random.default_rng(1).permutation(t.ravel()).reshape(t.shape)
    assert M.mse_mean_matched(shuffled, t) > 0.01
    for level in (0, 128, 255):
        assert M.mse_mean_matched(np.full_like(t, level), t) == pytest.approx(np.var(t / 255.0))
    assert set(M.full_reference(t, t)) == {"mse", "psnr", "ssim", "mse_mm"}


def test_wiener_deconvolution_recovers_detail():
    """Deconvolving with the true sigma brings back detail that blurring removed (the
    "deconvolved GT" reference); a wrong, much larger sigma rings, sigma 0 is identity."""
    from skimage import data

    natural = cv2.resize(data.camera(), (160, 120), interpolation=cv2.INTER_AREA)
    blurred = np.clip(cv2.GaussianBlur(natural.astype(np.float64), (0, 0), 2.5, borderType=cv2.BORDER_REFLECT) + 0.5,
                      0, 255).astype(np.uint8)
    restored = M.wiener_deconvolve(blurred, 2.5, nsr=1e-3)
    assert restored.dtype == np.float64 and restored.shape == natural.shape
    assert 0 <= restored.min() and restored.max() <= 1
    assert M.ssim(restored, natural) > M.ssim(blurred, natural) + 0.05
    assert M.mse(restored, natural) < 0.7 * M.mse(blurred, natural)
    assert M.ssim(M.wiener_deconvolve(blurred, 8.0, nsr=1e-3), natural) < M.ssim(restored, natural)
    np.testing.assert_allclose(M.wiener_deconvolve(blurred, 0.0), blurred / 255.0)


def test_no_reference_metrics():
    t = _texture()
    blurred = cv2.GaussianBlur(t, (0, 0), 3)
    assert M.sharpness(blurred) < 0.2 * M.sharpness(t)
    assert M.contrast(np.full((10, 10), 7, np.uint8)) == pytest.approx(0, abs=1e-9)
    rng = np.random.default_rng(1)
    flat = np.clip(128 + rng.normal(0, 5, (96, 128)), 0, 255)
    assert M.noise_estimate(flat / 255) == pytest.approx(5, rel=0.15)
    from skimage import data

    natural = cv2.resize(data.camera(), (128, 128), interpolation=cv2.INTER_AREA)
    assert M.brisque(cv2.GaussianBlur(natural, (0, 0), 3)) > M.brisque(natural) + 20
    frames = [np.full((4, 4), v, np.uint8) for v in (10, 20, 10)]
    assert M.temporal_flicker(frames) == pytest.approx(10.0)


def test_niqe():
    from skimage import data

    natural = data.camera()
    score = M.niqe(natural)
    # skvideo 1.1.11's own niqe (np.int and scipy.misc.imresize shimmed with Pillow) gives 9.07068
    assert score == pytest.approx(9.0707, abs=1e-3)
    assert M.niqe(natural / 255.0) == pytest.approx(score)
    rng = np.random.default_rng(0)
    noisy = np.clip(natural + rng.normal(0, 25, natural.shape), 0, 255).astype(np.uint8)
    assert M.niqe(cv2.GaussianBlur(natural, (0, 0), 3)) > score + 3
    assert M.niqe(noisy) > score + 3
    assert np.isfinite(M.niqe(natural[:M.NIQE_MIN_SIDE, :M.NIQE_MIN_SIDE]))
    with pytest.raises(ValueError, match="NIQE needs"):
        M.niqe(natural[:M.NIQE_MIN_SIDE - 1])


def test_blur_levels():
    assert [blur_level(s, False) for s in (0.5, 1.99, 2.0, 3.9, 4.0, 7)] == \
        ["mild", "mild", "moderate", "moderate", "severe", "severe"]
    assert blur_level(5, True) == "focus sweep"


def test_evaluate_writes_report(tmp_path):
    data = tmp_path / "data"
    simulate_minimal(data / "seq_00000.h5", width=48, height=40, n_frames=8, sigma_range=(0.5, 1), seed=1)
    simulate_minimal(data / "seq_00001.h5", width=48, height=40, n_frames=8, sigma_range=(5, 6), seed=2)
    torch.manual_seed(0)
    ck = save_checkpoint(tmp_path / "tiny.pt", EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)))
    torch.manual_seed(1)
    ck2 = save_checkpoint(tmp_path / "other.pt", EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)))
    rep = evaluate([str(ck), str(ck2)], [str(data)], tmp_path / "report", warmup=2, progress=False)
    splits = rep["ground_truth"]["splits"]
    assert {"mild", "severe", "all"} <= set(splits)
    assert splits["severe"]["defocused GT"]["ssim"] < splits["mild"]["defocused GT"]["ssim"]
    # the classical bound: deconvolving with the true sigma restores some detail on severe blur
    assert splits["severe"]["deconvolved GT"]["ssim"] > splits["severe"]["defocused GT"]["ssim"]
    assert splits["all"]["tiny"]["n"] == 2 * (7 - 2)
    assert 0 <= splits["all"]["tiny"]["mse"] <= 1
    # matching each frame's mean can only lower the MSE (what is left is not brightness)
    assert splits["all"]["tiny"]["mse_mm"] <= splits["all"]["tiny"]["mse"]
    out = tmp_path / "report"
    md = (out / "report.md").read_text()
    assert "| severe | tiny |" in md and "| severe | deconvolved GT |" in md
    assert "| severe | tiny − other |" in md  # paired comparison of the first model with the others
    paired = json.loads((out / "report.json").read_text())["ground_truth"]["paired"]["other"]
    assert paired["ssim"]["all"]["sequences"] == 2 and paired["ssim"]["severe"]["sequences"] == 1
    assert paired["mse_mm"]["severe"]["sequences"] == 1
    assert json.loads((out / "report.json").read_text())["ground_truth"]["sequences"][0]["frames_scored"] == 5
    grid = cv2.imread(str(out / "grid_synthetic.png"))
    assert grid.shape[1] == 5 * 48 * 4  # events | defocused | sharp | two models, 48-px tiles enlarged 4x


def test_paired_differences():
    """The interval is over sequences: a consistent small lead excludes 0, a lead from one
    lucky sequence does not."""
    from evfocus_live.train.evaluate import paired_differences

    def seqs(diffs):
        return [{"split": "severe", "a": {"ssim": 0.6 + d}, "b": {"ssim": 0.6}} for d in diffs]

    steady = paired_differences(seqs([0.02, 0.025, 0.018, 0.022, 0.021, 0.019]), "a", "b")["severe"]
    assert steady["mean"] == pytest.approx(0.0208, abs=1e-4)
    assert steady["relative"] == pytest.approx(0.0208 / 0.6, abs=1e-4)
    assert 0 < steady["lo"] < steady["mean"] < steady["hi"]
    lucky = paired_differences(seqs([0.12, -0.01, -0.01, -0.01, -0.01, -0.01]), "a", "b")["severe"]
    assert lucky["mean"] > 0 and lucky["lo"] < 0 < lucky["hi"]
    assert set(paired_differences(seqs([0.1]), "a", "b")) == {"severe"}
    mixed = seqs([0.1]) + [{"split": "mild", "a": {"ssim": 0.9}, "b": {"ssim": 0.8}}]
    assert set(paired_differences(mixed, "a", "b")) == {"mild", "severe", "all"}
    assert paired_differences(seqs([0.1]), "a", "missing") == {}


def test_blur_aware_outputs_are_scored(tmp_path):
    """EvFocus's blur branch is scored against the defocused GT and its defocus map against
    the simulator's sigma; an oracle that returns exactly those scores SSIM 1 and MAE 0, and
    a model without them (E2VID) gets no row."""
    from evfocus_live.nn.registry import build_model
    from evfocus_live.train.dataset import load_sequence
    from evfocus_live.train.evaluate import evaluate_ground_truth, markdown_report

    path = tmp_path / "seq_00000.h5"
    simulate_minimal(path, width=48, height=40, n_frames=8, sigma_range=(5, 6), seed=3)
    seq = load_sequence(path, 5)

    class Oracle:
        def reset_states(self):
            self.i = 0

        def __call__(self, x):
            i, self.i = self.i, self.i + 1
            as_t = lambda a: torch.from_numpy(M.as_float(a).astype(np.float32))[None, None]  # noqa: E731
            sigma = torch.from_numpy(seq.sigma[i].astype(np.float32))[None, None]
            return {"image": as_t(seq.sharp[i]), "blur": as_t(seq.blurred[i]), "sigma": sigma}

    torch.manual_seed(0)
    models = {"oracle": Oracle(), "evfocus": EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)).eval(),
              "e2vid": build_model("e2vid", {"base": 4}).eval()}
    gt, _ = evaluate_ground_truth(models, [path], warmup=2, progress=False)
    ba = gt["blur_aware"]["all"]
    assert set(ba) == {"oracle", "evfocus"}
    assert ba["oracle"]["blur_ssim"] == pytest.approx(1.0) and ba["oracle"]["sigma_mae_px"] == pytest.approx(0.0, abs=1e-6)
    assert ba["evfocus"]["blur_ssim"] < 0.999 and ba["evfocus"]["sigma_mae_px"] > 0 and ba["evfocus"]["n"] == 5
    # the viewer's readout (frame mean): exact for the oracle, the true mean the same for both
    assert ba["oracle"]["sigma_read_err_px"] == pytest.approx(0.0, abs=1e-6)
    assert ba["oracle"]["sigma_true_px"] == pytest.approx(ba["evfocus"]["sigma_true_px"])
    assert ba["oracle"]["sigma_true_px"] > 0
    assert 0 < ba["evfocus"]["sigma_read_err_px"] < 10
    assert gt["splits"]["all"]["oracle"]["ssim"] == pytest.approx(1.0)
    md = markdown_report(gt, None, list(models))
    (level,) = set(gt["splits"]) - {"all"}  # one sequence: one split, and no "all" rows repeating it
    assert f"| {level} | evfocus |" in md and "defocus map MAE" in md and "readout error" in md and f"| {level} | e2vid | " not in md.split("Blur-aware")[1]
    assert "| all |" not in md


def test_report_json_is_strict():
    """NIQE is NaN on frames under 194 px: the JSON says null, which every parser reads."""
    from evfocus_live.train.evaluate import _strict_json, niqe_cell

    body = _strict_json({"real": {"a.raw": {"m": {"niqe": float("nan"), "brisque": 30.5, "ms": [1.0, float("inf")]}}}})
    text = json.dumps(body, allow_nan=False)
    back = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard JSON constant {c}"))
    assert back["real"]["a.raw"]["m"] == {"niqe": None, "brisque": 30.5, "ms": [1.0, None]}
    assert niqe_cell(None) == niqe_cell(float("nan")) == "–" and niqe_cell(3.14159) == "3.14"


def test_expand_data_rejects_missing(tmp_path):
    from evfocus_live.errors import InputError

    with pytest.raises(InputError):
        expand_data([str(tmp_path / "missing")])


def test_real_recording_no_reference():
    f = REAL_FILES["evt2"]["path"]
    if not f.is_file():
        pytest.fail(f"real recording missing: {f}")
    torch.manual_seed(0)
    m = EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)).eval()
    table, rows = evaluate_real({"tiny": m}, [f], max_windows=2, brisque_frames=1, progress=False)
    r = table[f.name]["tiny"]
    assert r["windows"] == 2 and np.isfinite(r["brisque"]) and np.isfinite(r["niqe"]) and r["contrast"] >= 0
    assert rows[0].shape[0] == 480
    md = markdown_report(None, {**table, "small.h5": {"tiny": {**r, "niqe": float("nan")}}}, ["tiny"])
    assert f"| {f.name} | tiny | {r['brisque']:.1f} | {r['niqe']:.2f} |" in md
    assert f"| small.h5 | tiny | {r['brisque']:.1f} | – |" in md


def test_real_recording_too_small_for_niqe(tmp_path):
    f = simulate_minimal(tmp_path / "small.h5", width=48, height=40, n_frames=8, seed=1)
    torch.manual_seed(0)
    m = EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)).eval()
    table, _ = evaluate_real({"tiny": m}, [f], max_windows=2, brisque_frames=1, progress=False)
    assert np.isnan(table[f.name]["tiny"]["niqe"])


def test_eval_with_only_unreadable_recordings_is_an_error(tmp_path):
    """Every real file skipped: one InputError (exit 2), not a report of "(skipped)" rows and exit 0."""
    from evfocus_live.errors import InputError
    from evfocus_live.nn.registry import save_checkpoint
    from evfocus_live.train.evaluate import evaluate

    ckpt = save_checkpoint(tmp_path / "tiny.pt", EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)).eval())

    bad = tmp_path / "empty.raw"
    bad.write_bytes(b"% evt 3.0\n% geometry 64x48\n% end\n")  # a RAW header and no events
    with pytest.raises(InputError, match="no readable event file"):
        evaluate([str(ckpt)], [str(bad)], out_dir=tmp_path / "out")


# --- fixes: labels, bins, devices, mixed folders, options ----------------------------------

def _tiny_ckpt(path, seed=0, **cfg):
    torch.manual_seed(seed)
    return save_checkpoint(path, EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1, **cfg)),
                           {"step": 2, "wall_s": 6.0, "loss": 0.1})


def _gt_folder(tmp_path, n=1):
    data = tmp_path / "data"
    for i in range(n):
        simulate_minimal(data / f"seq_{i:05d}.h5", width=48, height=40, n_frames=5, sigma_range=(0.5, 1), seed=i)
    return data


def test_eval_gives_every_model_its_own_row_when_labels_would_collide(tmp_path):
    """run1/final.pt and run1/last.pt both read "run1", x/evfocus.pt reads like the name
    evfocus: each model given still gets its own, distinct row."""
    specs = [str(_tiny_ckpt(tmp_path / "run1" / "final.pt", 0)), str(_tiny_ckpt(tmp_path / "run1" / "last.pt", 1)),
             str(_tiny_ckpt(tmp_path / "x" / "run1.pt", 2))]
    rep = evaluate(specs, [str(_gt_folder(tmp_path))], warmup=1, progress=False)
    rows = {k: v for k, v in rep["ground_truth"]["splits"]["mild"].items() if k not in ("defocused GT", "deconvolved GT")}
    assert len(rows) == 3, list(rows)
    assert len({r["ssim"] for r in rows.values()}) == 3  # three different networks, three scores
    assert sorted(rep["labels"].values()) == sorted(specs)

    from evfocus_live.train.evaluate import model_labels

    labels = model_labels(["run1/final.pt", "run1/last.pt", "evfocus", "/work/main/models/evfocus.pt"])
    assert len(set(labels)) == 4 and labels[2] == "evfocus"
    assert model_labels(["a/run.pt", "a/run.pt"]) == ["a/run.pt", "a/run.pt #2"]
    assert model_labels(["run1/final.pt", "other.pt"]) == ["run1", "other"]  # no collision: short labels


def test_eval_feeds_each_model_voxels_of_its_own_num_bins(tmp_path):
    """A model trained with 3 bins beside a 5-bin one, on ground truth and on a recording."""
    from evfocus_live.writers.hdf5 import Hdf5Writer
    from conftest import make_events

    rec = tmp_path / "rec.h5"  # a recording without ground truth
    with Hdf5Writer(rec, 48, 40, sensor="test") as w:
        w.write(make_events(20_000, 48, 40, duration_us=200_000))
    b3, b5 = _tiny_ckpt(tmp_path / "b3.pt", 0, num_bins=3), _tiny_ckpt(tmp_path / "b5.pt", 1)
    rep = evaluate([str(b3), str(b5)], [str(_gt_folder(tmp_path)), str(rec)], warmup=1, max_windows=3,
                   progress=False)
    assert {"b3", "b5"} <= set(rep["ground_truth"]["splits"]["all"])
    assert set(rep["real"]["rec.h5"]) == {"b3", "b5"}


class _OnDevice:
    """An output left on an accelerator: numpy() only after cpu(), as torch has it for CUDA."""

    def __init__(self, t):
        self.t = t

    def __getitem__(self, k):
        return _OnDevice(self.t[k])

    def float(self):
        return _OnDevice(self.t.float())

    def cpu(self):
        return self.t

    def numpy(self):
        raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() first.")


def test_run_model_moves_inputs_to_the_model_device_and_outputs_to_the_cpu():
    """The model's weights on another device ("meta" stands for CUDA here): every voxel must
    reach the model on that device, and outputs come back through .cpu()."""
    from evfocus_live.train.evaluate import run_model

    class Elsewhere(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1, device="meta"))
            self.seen = []

        def reset_states(self):
            self.seen.clear()

        def forward(self, x):
            self.seen.append(x.device.type)
            return {"image": _OnDevice(torch.full((1, 1, *x.shape[-2:]), 0.5))}

    m = Elsewhere()
    out = run_model(m, np.zeros((3, 5, 8, 10), np.float16))
    assert m.seen == ["meta"] * 3
    assert out["image"].shape == (3, 8, 10) and np.all(out["image"] == 0.5)


def test_expand_data_keeps_recordings_beside_simulated_sequences(tmp_path):
    """Only the simulator's own .aedat4 twin (same stem as a ground-truth .h5) is left out."""
    d = tmp_path / "mix"
    simulate_minimal(d / "seq_00000.h5", width=48, height=40, n_frames=3, seed=1)
    (d / "seq_00000.aedat4").write_bytes(b"")  # the simulator's twin of seq_00000.h5
    for name in ("davis.aedat4", "gen4.raw", "notes.md", "dataset.json"):
        (d / name).write_bytes(b"")
    gt, real = expand_data([str(d)])
    assert [p.name for p in gt] == ["seq_00000.h5"]
    assert sorted(p.name for p in real) == ["davis.aedat4", "gen4.raw"]


def test_eval_refuses_negative_warmup_and_no_windows(tmp_path, monkeypatch, capsys):
    """--warmup -2 scored frames twice; --max-windows 0 nothing: one line, exit 2, before any model runs."""
    import evfocus_live.train.evaluate as ev
    from evfocus_live.cli import main
    from evfocus_live.errors import ConfigError

    data = _gt_folder(tmp_path)
    with monkeypatch.context() as mp:
        mp.setattr(ev, "evaluate", lambda *a, **k: pytest.fail("evaluated despite a bad option"))
        for opts, needle in [(["--warmup", "-2"], "--warmup"), (["--max-windows", "0"], "--max-windows")]:
            assert main(["eval", "--models", "evfocus", "--data", str(data), *opts]) == 2, opts
            err = capsys.readouterr().err.strip().splitlines()
            assert len(err) == 1 and needle in err[0], err
    with pytest.raises(ConfigError, match="warmup"):  # the library refuses it too
        evaluate(["evfocus"], [str(data)], warmup=-1, progress=False)


# --- the model-card tool (writes into a tmp models/ via $EVFOCUS_MODELS_DIR) -----------------

def _card_report(brisque=None):
    row = {"ssim": 0.5, "mse": 0.01, "psnr": 20.0, "mse_mm": 0.01, "n": 4}
    return {"warmup_windows": 3,
            "ground_truth": {"splits": {"mild": {"defocused GT": row, "deconvolved GT": row, "tiny": row, "other": row}}},
            "real": {"rec.h5": {"tiny": {"brisque": brisque, "niqe": None, "sharpness": 1.0, "contrast": 2.0,
                                         "noise": 0.5, "flicker": 0.1, "windows": 3, "ms_per_window": 4.0}}}}


@pytest.fixture
def card_env(tmp_path, monkeypatch):
    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", str(models))
    ck = _tiny_ckpt(tmp_path / "run" / "final.pt")
    rep = tmp_path / "report.json"
    rep.write_text(json.dumps(_card_report()))
    cfg = tmp_path / "tiny.toml"
    cfg.write_text("[model]\narch = \"evfocus\"\n")
    return models, ck, rep, cfg


def test_card_formats_null_metrics_and_its_sha256_matches(card_env):
    """eval writes NaN as null: the card says n/a (it crashed after replacing the .pt)."""
    from evfocus_live.nn.registry import sha256_file
    from evfocus_live.train.card import main

    models, ck, rep, cfg = card_env
    assert main(["tiny", str(ck.parent), str(cfg), "--report", str(rep)]) == 0
    text = (models / "tiny.md").read_text()
    assert "| rec.h5 | n/a | – |" in text and "| mild | tiny | 0.5000 |" in text
    assert f"sha256: `{sha256_file(models / 'tiny.pt')}`" in text
    assert sorted(p.name for p in models.iterdir()) == ["tiny.md", "tiny.pt"]


def test_card_replaces_nothing_when_the_card_fails(card_env, monkeypatch):
    """The card is built before the .pt is put in place: a failure leaves the shipped pair as it was."""
    import evfocus_live.train.card as card

    models, ck, rep, cfg = card_env
    (models / "tiny.pt").write_bytes(b"old weights")
    (models / "tiny.md").write_text("old card")

    def boom(path):
        raise RuntimeError("card failed")

    monkeypatch.setattr(card, "sha256_file", boom)
    with pytest.raises(RuntimeError, match="card failed"):
        card.write_card("tiny", ck, cfg, _card_report(12.5), "tiny")
    assert (models / "tiny.pt").read_bytes() == b"old weights" and (models / "tiny.md").read_text() == "old card"
    assert sorted(p.name for p in models.iterdir()) == ["tiny.md", "tiny.pt"]  # no temporary left


@pytest.mark.parametrize("case", ["unknown label", "missing run", "missing config"])
def test_card_bad_input_is_one_line(card_env, tmp_path, capsys, case):
    """A --label the report lacks (it gave a card of reference rows only), a missing RUN
    (traceback) or CONFIG (accepted): one line naming it, exit 2, nothing shipped."""
    from evfocus_live.train.card import main

    models, ck, rep, cfg = card_env
    argv, needle = {"unknown label": (["tiny", str(ck), str(cfg), "--report", str(rep), "--label", "nope"], "tiny, other"),
                    "missing run": (["tiny", str(tmp_path / "missing"), str(cfg)], "missing"),
                    "missing config": (["tiny", str(ck), str(tmp_path / "nosuch.toml")], "nosuch.toml")}[case]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0] and "error" in err[0], err
    assert not list(models.iterdir())


def test_card_config_is_optional_as_its_usage_says(card_env):
    from evfocus_live.train.card import __doc__ as usage, main

    models, ck, rep, cfg = card_env
    assert "NAME RUN [CONFIG]" in usage
    assert main(["tiny", str(ck)]) == 0
    assert "config: not named" in (models / "tiny.md").read_text()


def test_frames_too_small_to_score_and_flat_brisque(tmp_path):
    """Frames under 7 px made SSIM fail in skimage ("win_size exceeds image extent") and
    BRISQUE in OpenCV (1x1): now one InputError each; `evfocus eval` on such a sequence names
    it before running any model. BRISQUE of a flat frame is NaN (undefined), not a number."""
    import warnings

    from evfocus_live.errors import InputError

    for side in (1, 3, 6):
        img = np.random.default_rng(0).random((side, side))
        for fn in (M.ssim, M.brisque):
            with pytest.raises(InputError, match="needs frames of at least 7x7 px"):
                fn(img, img) if fn is M.ssim else fn(img)
    assert M.ssim(np.eye(7), np.eye(7)) == pytest.approx(1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning either
        assert np.isnan(M.brisque(np.full((64, 64), 128, np.uint8))) and np.isnan(M.brisque(np.zeros((200, 200))))
    simulate_minimal(tmp_path / "d" / "seq_00000.h5", width=6, height=6, n_frames=8, sigma_range=(1, 3), seed=1)
    ck = save_checkpoint(tmp_path / "m.pt", EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)))
    with pytest.raises(InputError, match=r"seq_00000.h5: frames of 6x6 px are too small to score"):
        evaluate([str(ck)], [str(tmp_path / "d")], progress=False)
    table, _ = evaluate_real({"m": EvFocus(dict(base=4, kernel=3))}, [tmp_path / "d" / "seq_00000.h5"], progress=False)
    assert table["seq_00000.h5"] == {"skipped": "6x6 px frames are too small to score (at least 7x7)"}


class _FlatThenTextured:
    """A model whose first scored frames are flat (BRISQUE undefined), the rest textured."""

    def __init__(self, n_flat):
        self.n_flat, self.i = n_flat, 0

    def reset_states(self):
        self.i = 0

    def __call__(self, voxel):
        self.i += 1
        h, w = voxel.shape[-2:]
        tex = torch.from_numpy(_texture(self.i, 48, 64)[:h, :w] / 255.0).float()
        return {"image": (torch.full((h, w), 0.5) if self.i <= self.n_flat else tex)[None, None]}


def test_real_brisque_averages_defined_frames_and_shows_dash_when_none(tmp_path):
    """A flat frame's NaN BRISQUE was averaged in: the cell read "nan" while NIQE's read "–".
    Now the mean is over the frames where it is defined, and "–" (null in JSON) when none is."""
    from evfocus_live.train.evaluate import _strict_json

    f = simulate_minimal(tmp_path / "small.h5", width=48, height=40, n_frames=30, seed=1)  # 6 windows
    models = {"some": _FlatThenTextured(4), "flat": _FlatThenTextured(99)}  # scored: windows 4-6
    table, _ = evaluate_real(models, [f], max_windows=6, brisque_frames=3, progress=False)
    some, flat = table[f.name]["some"], table[f.name]["flat"]
    assert some["windows"] == 6 and np.isfinite(some["brisque"]) and np.isnan(flat["brisque"])
    md = markdown_report(None, table, list(models))
    assert f"| {f.name} | some | {some['brisque']:.1f} | – |" in md and f"| {f.name} | flat | – | – |" in md
    assert "nan" not in md
    assert json.loads(json.dumps(_strict_json(table), allow_nan=False))[f.name]["flat"]["brisque"] is None
