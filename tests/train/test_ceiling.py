"""Deblurring ceilings: Wiener with the true sigma and a trained oracle, on the frames eval scores."""

from __future__ import annotations

import pytest
import torch

from evfocus_live.train.ceiling import evaluate_ceilings, main, train_oracle
from evfocus_live.train.synth import simulate_minimal


@pytest.mark.usefixtures("one_torch_thread")
def test_ceilings_on_tiny_set(tmp_path):
    files = [simulate_minimal(tmp_path / f"seq_0000{i}.h5", width=48, height=40, n_frames=8, sigma_range=(5, 6), seed=i)
             or tmp_path / f"seq_0000{i}.h5" for i in range(2)]
    torch.manual_seed(0)
    oracle, info = train_oracle(files, minutes=0.08, crop=32, batch=4, progress=False)
    assert info["steps"] > 10
    assert info["final_loss"] < info["first_loss"]
    res = evaluate_ceilings(files, oracle, warmup=2)
    assert set(res) == {"severe"}  # one split: no "all" repeating it
    sev = res["severe"]
    assert sev["defocused GT"]["n"] == 2 * (7 - 2)  # the frames `evfocus eval` scores
    assert {"oracle", "wiener nsr=0.01"} <= set(sev)
    assert max(v["ssim"] for k, v in sev.items() if k.startswith("wiener")) > sev["defocused GT"]["ssim"]


def test_cli_reports_missing_data(tmp_path, caplog):
    assert main(["--test", str(tmp_path / "nope"), "--no-progress"]) == 2
    assert "not found" in caplog.text
    simulate_minimal(tmp_path / "seq_00000.h5", width=48, height=40, n_frames=6, sigma_range=(5, 6), seed=0)
    bad = tmp_path / "oracle.pt"
    bad.write_bytes(b"not a state dict")
    assert main(["--test", str(tmp_path), "--oracle", str(bad), "--no-progress"]) == 2
    assert "not an oracle" in caplog.text


@pytest.mark.usefixtures("one_torch_thread")
def test_oracle_crop_fits_small_frames_and_json_has_no_nan(tmp_path, caplog):
    """Frames under the 96-px crop failed in numpy ("high <= 0"): the crop is clipped to the
    frames. --minutes 0 scored an untrained oracle and wrote a bare NaN into ceiling.json: it
    is refused (exit 2), and a budget over before the first step writes null."""
    import json

    simulate_minimal(tmp_path / "d" / "seq_00000.h5", width=40, height=30, n_frames=6, sigma_range=(1, 3), seed=1)
    oracle, info = train_oracle([tmp_path / "d" / "seq_00000.h5"], minutes=0.005, batch=2, progress=False)
    assert info["steps"] >= 1 and info["crop_hw"] == [30, 40]
    args = ["--train", str(tmp_path / "d"), "--test", str(tmp_path / "d"), "--no-progress", "--out", str(tmp_path / "o")]
    assert main(args + ["--minutes", "0"]) == 2
    assert "--minutes must be a finite number > 0" in caplog.text and not (tmp_path / "o").exists()
    assert main(args + ["--minutes", "1e-12"]) == 0

    def no_constant(c):
        raise AssertionError(f"invalid JSON constant {c}")

    info = json.loads((tmp_path / "o" / "ceiling.json").read_text(), parse_constant=no_constant)["oracle"]
    assert info["steps"] == 0 and info["final_loss"] is None
