"""The report's PSNR column is the mean over frames of each frame's PSNR, capped at 60 dB (a
frame equal to its reference): on a set with an in-focus sequence (`--sigma-range 0 0`) the
defocused GT's "all" row read 31.5 dB beside an MSE of 0.0077 (21 dB), higher than two of its
three splits. The report must say how the column is made, so that it is not read as
10·log10(1/MSE)."""

from __future__ import annotations

from evfocus_live.train.evaluate import markdown_report
from evfocus_live.train.metrics import PSNR_MAX_DB


def test_report_says_psnr_is_a_capped_mean_over_frames():
    row = {"ssim": 1.0, "mse": 0.0, "psnr": PSNR_MAX_DB, "mse_mm": 0.0, "n": 3}
    gt = {"splits": {"mild": {"defocused GT": row, "deconvolved GT": row, "m": row}}}
    md = markdown_report(gt, None, ["m"])
    assert f"capped at {PSNR_MAX_DB:g} dB" in md
    assert "mean over frames of each frame's PSNR" in md
