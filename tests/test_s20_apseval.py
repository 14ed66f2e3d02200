"""DAVIS APS frames as a reference: ``evfocus eval`` scores reconstructions at the APS
frame times against those frames; the viewer loads the frames off the GUI thread; the APS
frame follows ``--roi`` / ``--downsample``.

On the real DAVIS346 recording (3 APS frames) and on test_s20_aps's synthetic .aedat4
written by dv-processing's writer (64x48, APS frames at 20, 50 and 80 ms).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from conftest import REAL_FILES, make_events
from test_s20_aps import SYN_APS_US, SYN_H, SYN_W, davis_synth, syn_aps_image  # noqa: F401 (a fixture)

from evfocus_live.cli import main
from evfocus_live.train.evaluate import evaluate_aps, markdown_report, minmax_normalised
from evfocus_live.writers.aedat4 import Aedat4Writer

DAVIS = REAL_FILES["davis346"]

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class ApsEcho:
    """A test double that "reconstructs" the k-th APS frame at its k-th window (one window
    per APS frame), scaled to [0.2, 0.6]: SSIM 1 after min-max normalisation."""

    def __init__(self, frames):
        self.frames, self.i, self.calls = [img for _, img in frames], 0, 0

    def reset_states(self):
        self.i = 0

    def __call__(self, voxel):
        img = self.frames[min(self.i, len(self.frames) - 1)].astype(np.float32) / 255.0
        self.i += 1
        self.calls += 1
        return {"image": torch.from_numpy(0.2 + 0.4 * img)[None, None]}


class Constant:
    def reset_states(self):
        pass

    def __call__(self, voxel):
        return {"image": torch.full((1, 1, *voxel.shape[-2:]), 0.5)}


def syn_frames():
    return [(t, syn_aps_image(k)) for k, t in enumerate(SYN_APS_US)]


def test_minmax_normalised():
    img = np.array([[10, 20], [30, 110]], np.uint8)
    assert np.allclose(minmax_normalised(img), [[0, 0.1], [0.2, 1]])
    assert np.array_equal(minmax_normalised(np.full((3, 3), 0.4)), np.zeros((3, 3)))  # flat: no structure


@pytest.mark.parametrize("warmup, scored", [(0, 3), (1, 2), (3, 1), (7, 1)])
def test_eval_aps_on_a_synthetic_davis_file(davis_synth, tiny_model, warmup, scored):  # noqa: F811
    echo = ApsEcho(syn_frames())
    models = {"echo": echo, "flat": Constant(), "tiny": tiny_model}
    table = evaluate_aps(models, [davis_synth], warmup=warmup, progress=False)
    res = table[davis_synth.name]
    # warm-up as everywhere in eval: the first frames not scored, the last one always
    assert res["frames"] == 3 and res["scored"] == scored and echo.calls == 3
    e, f, t = (res["models"][k] for k in ("echo", "flat", "tiny"))
    assert e["ssim"] == pytest.approx(1.0, abs=1e-6) and e["mse"] < 1e-10  # right frame, right window
    assert f["ssim"] < 0.05 and f["mse"] > 0.1
    for r in (e, f, t):
        assert -1 <= r["ssim"] <= 1 and 0 <= r["mse"] <= 1 and 0 < r["psnr"] <= 60
        assert all(math.isfinite(v) for v in r.values())
    md = markdown_report(None, None, list(models), aps=table)
    assert "## Real recordings with APS frames" in md
    assert f"| {davis_synth.name} | echo | 1.0000 | 0.00000 | 60.00 | {scored} / 3 |" in md


def test_eval_aps_leaves_out_recordings_without_aps_and_says_dash_when_none_scored(tmp_path, shared_data):
    ours = tmp_path / "ours.aedat4"
    with Aedat4Writer(ours, 346, 260) as w:  # events only
        w.write(make_events(5_000))
    # the real file with its first frame packet corrupt: an APS stream, no frame readable
    from evfocus_live.sources.aedat4_file import Aedat4FileSource
    src_path = shared_data / DAVIS["path"].name
    with Aedat4FileSource(src_path) as src:
        off = src._frame_packets[0][0]
    data = bytearray(src_path.read_bytes())
    for i in (off + 4, off + 17, off + 42):
        data[i] ^= 0xFF
    bad = tmp_path / "bad_frames.aedat4"
    bad.write_bytes(bytes(data))
    table = evaluate_aps({"flat": Constant()}, [ours, bad], progress=False)
    assert list(table) == ["bad_frames.aedat4"]
    assert table["bad_frames.aedat4"]["frames"] == 0 and table["bad_frames.aedat4"]["scored"] == 0
    assert math.isnan(table["bad_frames.aedat4"]["models"]["flat"]["ssim"])
    md = markdown_report(None, None, ["flat"], aps=table)
    assert "| bad_frames.aedat4 | flat | – | – | – | 0 / 0 |" in md and "nan" not in md


def test_eval_cli_on_the_real_davis_file_has_the_aps_table(tmp_path, shared_data, tiny_ckpt, capsys):
    path = shared_data / DAVIS["path"].name
    out = tmp_path / "rep"
    assert main(["eval", "--models", str(tiny_ckpt), "--data", str(path), "--out", str(out), "--no-progress"]) == 0
    md = (out / "report.md").read_text()
    assert "## Real recordings with APS frames" in capsys.readouterr().out  # printed too
    assert "## Real recordings (no reference)" in md and "## Real recordings with APS frames" in md
    rep = json.loads((out / "report.json").read_text())
    aps = rep["real_aps"][path.name]
    assert aps["frames"] == 3 and aps["scored"] == 1  # default --warmup 3: the last of the 3 frames
    r = aps["models"]["tiny"]
    assert 0 <= r["mse"] <= 1 and -1 <= r["ssim"] <= 1 and 0 < r["psnr"] <= 60
    assert f"| {path.name} | tiny | {r['ssim']:.4f} | {r['mse']:.5f} | {r['psnr']:.2f} | 1 / 3 |" in md
