"""``evfocus eval`` against DAVIS APS frames: scored at the APS frame times, over the part of the sensor
a frame covers, reading only the frames it scores."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from aps_support import (H, KEPT, SYN_APS_US, W, davis_synth, expected_frames, frames_decoded, many_aps,
    roi_file, syn_aps_image, write_davis)  # noqa: F401 (fixtures)
from conftest import REAL_FILES, make_events

from evfocus_live.cli import main
from evfocus_live.train.evaluate import evaluate_aps, markdown_report, minmax_normalised
from evfocus_live.writers.aedat4 import Aedat4Writer


DAVIS = REAL_FILES["davis346"]


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


@pytest.mark.usefixtures("one_torch_thread")
def test_minmax_normalised():
    img = np.array([[10, 20], [30, 110]], np.uint8)
    assert np.allclose(minmax_normalised(img), [[0, 0.1], [0.2, 1]])
    assert np.array_equal(minmax_normalised(np.full((3, 3), 0.4)), np.zeros((3, 3)))  # flat: no structure


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
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
    garbage = tmp_path / "garbage.aedat4"  # unreadable: the no-reference table says why, not this one
    garbage.write_bytes(b"#!AER-DAT4.0\r\n" + bytes(64))
    table = evaluate_aps({"flat": Constant()}, [ours, garbage, bad], progress=False)
    assert list(table) == ["bad_frames.aedat4"]
    assert table["bad_frames.aedat4"]["frames"] == 0 and table["bad_frames.aedat4"]["scored"] == 0
    assert math.isnan(table["bad_frames.aedat4"]["models"]["flat"]["ssim"])
    md = markdown_report(None, None, ["flat"], aps=table)
    assert "| bad_frames.aedat4 | flat | – | – | – | 0 / 0 |" in md and "nan" not in md


@pytest.mark.usefixtures("one_torch_thread")
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


N_APS = 40


def test_eval_max_windows_1_reads_one_aps_frame_with_the_same_scores(many_aps, tiny_ckpt, tmp_path,
                                                                       frames_decoded, monkeypatch):
    import json

    from evfocus_live.cli import main
    from evfocus_live.train import evaluate

    def run(out):
        frames_decoded[0] = 0
        assert main(["eval", "--models", str(tiny_ckpt), "--data", str(many_aps), "--out", str(out),
                     "--no-progress", "--max-windows", "1"]) == 0
        return json.loads((out / "report.json").read_text())["real_aps"][many_aps.name], frames_decoded[0]

    now, read_now = run(tmp_path / "now")  # (read twice: for the table, and for the grid's APS tile)
    assert read_now == 2 and now["frames"] == 1 and now["scored"] == 1
    # as before: every frame read, then cut to --max-windows
    monkeypatch.setattr(evaluate, "_first_aps_frames", lambda src, n: list(src.aps_frames())[:n])
    before, read_before = run(tmp_path / "before")
    assert read_before == 2 * N_APS and now == before


def test_eval_calls_a_plugin_sources_aps_frames_without_limit():
    """A plugin's source whose ``aps_frames()`` predates ``limit`` is called as before."""
    from evfocus_live.train.evaluate import _first_aps_frames

    class Old:
        def aps_frames(self):
            return [(1, "a"), (2, "b"), (3, "c")]

    class New:
        def aps_frames(self, limit=None):
            self.limit = limit
            return [(1, "a"), (2, "b"), (3, "c")][:limit]

    assert _first_aps_frames(Old(), 2) == [(1, "a"), (2, "b")]
    new = New()
    assert _first_aps_frames(new, 2) == [(1, "a"), (2, "b")] and new.limit == 2


class RegionEcho:
    """A test double: at the k-th window, the k-th APS frame inside its region and noise
    outside (where the camera measured nothing): SSIM 1 when only the region is scored."""

    def __init__(self, frames, regions):
        self.frames, self.regions, self.i = frames, regions, 0
        self.rng = np.random.default_rng(0)

    def reset_states(self):
        self.i = 0

    def __call__(self, voxel):
        k = min(self.i, len(self.frames) - 1)
        self.i += 1
        img = self.rng.uniform(0, 1, (H, W)).astype(np.float32)
        x, y, w, h = self.regions[k]
        img[y:y + h, x:x + w] = 0.2 + 0.4 * self.frames[k][y:y + h, x:x + w] / 255.0
        return {"image": torch.from_numpy(img)[None, None]}


def test_eval_scores_only_the_part_of_the_sensor_the_aps_frame_covers(roi_file):
    exp = expected_frames()
    regions = [(x, y, w, h) for _, x, y, w, h in KEPT]
    echo = RegionEcho([img for _, img in exp], regions)
    res = evaluate_aps({"echo": echo}, [roi_file], warmup=0, progress=False)[roi_file.name]
    assert res["frames"] == len(KEPT) and res["scored"] == len(KEPT)
    r = res["models"]["echo"]
    assert r["ssim"] == pytest.approx(1.0, abs=1e-6) and r["mse"] < 1e-10
    # (scored on the whole sensor, the noise outside the region would count)
    from evfocus_live.train import metrics as M
    echo.i = 1  # frame 1: a 32x20 region
    rec = echo(None)["image"][0, 0].numpy()
    assert M.ssim(minmax_normalised(rec), minmax_normalised(exp[1][1])) < 0.5


def test_eval_skips_a_recording_whose_aps_region_is_too_small(tmp_path):
    path = write_davis(tmp_path / "tiny_roi.aedat4", [(30_000, 5, 5, 6, 20), (60_000, 5, 5, 6, 20)])
    res = evaluate_aps({"flat": lambda v: {"image": torch.full((1, 1, H, W), 0.5)}}, [path], progress=False)
    assert "6x20 px frames (APS region at 5,5) are too small to score" in res[path.name]["skipped"]
