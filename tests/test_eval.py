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


@pytest.fixture(autouse=True)
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


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
    assert grid.shape[1] == 5 * 48  # events | defocused | sharp | two models


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
