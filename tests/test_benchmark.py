"""The benchmark's building blocks are correct (its timings are not tested: speed lives in bench)."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from evfocus_live import benchmark
from evfocus_live.core.voxel import voxel_grid
from conftest import make_events


def test_tile_events_keeps_order_and_spatial_content():
    ev = make_events(500, duration_us=1000)
    tiled = benchmark.tile_events(ev, 3)
    assert len(tiled) == 1500
    assert np.all(np.diff(tiled["t"]) >= 0)
    assert tiled["t"][-1] - tiled["t"][0] > 2 * (ev["t"][-1] - ev["t"][0])
    assert np.array_equal(np.sort(tiled["x"][:500]), np.sort(ev["x"]))


def test_naive_voxel_baseline_matches_the_real_voxel_grid():
    ev = make_events(3000, 64, 48, duration_us=5000)
    ref = benchmark.naive_voxel(ev, 5, 64, 48)
    ours = voxel_grid(ev, 5, 64, 48, normalize=False)
    assert torch.allclose(ours, torch.from_numpy(ref), atol=1e-4)


def test_format_table_lists_every_row():
    result = {"machine": {"cpu_count": 2, "torch_threads": 2, "torch": "x", "cuda": False, "peak_rss_mb": 1.0},
              "rows": [benchmark.Row("read", "346x260", 40.0, "Mev/s", "dv", 0.95).as_dict(),
                       benchmark.Row("model forward", "346x260", 31.0, "frames/s", extra={"model": "evfocus"}).as_dict()]}
    table = benchmark.format_table(result)
    assert "| read | 346x260 |" in table and "0.95x" in table and "evfocus" in table


def test_gpu_bench_script_runs_end_to_end_and_compares_precisions(tmp_path, one_torch_thread):
    """bench/bench_gpu.py (run on a GPU by models/train_gpu.sh), here on the CPU with tiny
    checkpoints: rows per model, resolution and precision; ratios against the first model;
    the lower precision's frames compared with fp32's."""
    import json
    import runpy

    from evfocus_live.nn.registry import build_model, save_checkpoint
    from conftest import TINY

    paths = [str(save_checkpoint(tmp_path / f"{a}.pt", build_model(a, TINY if a == "evfocus" else {"base": 4}), {}))
             for a in ("e2vid", "evfocus")]
    out = tmp_path / "gpu.json"
    script = runpy.run_path(str(Path(__file__).resolve().parents[1] / "bench" / "bench_gpu.py"))
    assert script["main"](["--device", "cpu", "--precisions", "auto", "fp32", "--seconds", "1", "--frames", "3",
                           "--models", *paths, "-o", str(out)]) == 0
    res = json.loads(out.read_text())
    rows = res["rows"]
    assert {(r["resolution"], r["precision"]) for r in rows} == {(res_, p) for res_ in ("346x260", "1280x720")
                                                                   for p in ("auto", "fp32")}
    assert len(rows) == 8 and all(r["frames"] >= 1 and r["value"] > 0 for r in rows)
    assert all(r["ratio_vs_baseline"] == 1.0 for r in rows if r["model"] == paths[0])
    live = res["live"]  # the threaded pipeline at the sensor clock, one row per model and resolution
    assert {(r["model"], r["resolution"]) for r in live} == {(m, res_) for m in paths for res_ in ("346x260", "1280x720")}
    for r in live:
        assert r["precision"] == "auto" and 1 <= r["frames"] <= r["windows"] + 1
        assert r["value"] == r["frames"] / r["windows"]
        assert r["skipped_after_warmup"] is None or 0 <= r["skipped_after_warmup"] <= r["skipped_windows"]
        assert r["wall_s"] >= 0.8 * r["sensor_s"]  # paced by the sensor clock, not as fast as possible
    assert any(r["latency_ms_p50"] is not None and r["latency_ms_p50"] > 0 for r in live)
    diff = res["fp16_vs_fp32"][paths[1]]
    assert diff["frames"] >= 1 and 0 <= diff["mean_abs_grey"] <= diff["max_abs_grey"] <= 255


def test_focus_readout_bench_runs_and_its_roughness_flags_a_checkerboard(tmp_path, one_torch_thread, capsys):
    """bench/focus_readout.py: a row per scene and knob, a summary per model; its map
    roughness is larger over 4 px than over 8 px for an 8 px checkerboard, not for a ramp."""
    import runpy

    import numpy as np

    from evfocus_live.nn.registry import build_model, save_checkpoint
    from conftest import TINY

    script = runpy.run_path(str(Path(__file__).resolve().parents[1] / "bench" / "focus_readout.py"))
    y, x = np.mgrid[0:64, 0:96]
    ramp = 0.001 * (x - 40.0) ** 2
    r4, r8 = script["grid_roughness_px"](ramp)
    assert 0 < r4 < r8
    board = ramp + 0.3 * (((x // 4) + (y // 4)) % 2)
    r4, r8 = script["grid_roughness_px"](board)
    assert r4 > r8 and r4 > 0.5
    ckpt = str(save_checkpoint(tmp_path / "t.pt", build_model("evfocus", dict(TINY, sigma_head=4)), {}))
    assert script["main"](["--models", ckpt, "--scenes", "text", "--knobs", "0.5", "0.0", "--seconds", "0.2"]) == 0
    out = capsys.readouterr().out
    assert out.count("| text |") == 2 and "mean |read - true|" in out and "over 4 px" in out
    mae, corr, missing = script["agreement"](np.array([0.0, 2.4, 4.8, 8.0]), np.array([1.0, 2.0, np.nan, 5.0]))
    assert missing == 1 and mae == pytest.approx(4.4 / 3) and 0.9 < corr <= 1.0  # a pair with no window is left out
    assert np.isnan(script["agreement"](np.zeros(2), np.full(2, np.nan))[0])


def test_bench_options_fail_before_benchmarking(tmp_path, monkeypatch, capsys):
    """An unknown model, bad --threads or an unwritable -o: one line and exit 2 up front,
    not after minutes of timing (or a warning and exit 0)."""
    from evfocus_live.cli import main

    monkeypatch.setattr(benchmark, "run", lambda **kw: pytest.fail("benchmarked despite bad options"))
    afile = tmp_path / "afile"
    afile.write_text("")
    for opts, needle in [(["--models", "evfocus", "nosuch"], "nosuch"), (["--threads", "-1"], "--threads"),
                         (["-o", str(afile / "x.json")], "not a folder"), (["-o", str(tmp_path)], "is a folder")]:
        assert main(["bench", "--quick", *opts]) == 2, opts
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("evfocus bench: error:") and needle in err[0], (opts, err)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_bench_results_are_printed_when_the_output_file_fails(monkeypatch, capsys):
    from evfocus_live.cli import main

    result = {"machine": {"cpu_count": 2, "torch_threads": 1, "torch": "x", "cuda": False, "peak_rss_mb": 1.0},
              "rows": [benchmark.Row("read", "346x260", 40.0, "Mev/s").as_dict()]}
    monkeypatch.setattr(benchmark, "run", lambda **kw: result)
    assert main(["bench", "--json", "-o", "/dev/full"]) == 2  # passes the check, fails on write
    out, err = capsys.readouterr()
    assert json.loads(out) == result
    assert len(err.strip().splitlines()) == 1 and "printed above" in err


def test_bench_models_feeds_each_model_its_own_num_bins(tmp_path):
    """A checkpoint trained with 3 voxel bins is timed on 3-bin voxels (it got 5 and failed)."""
    from evfocus_live.nn.registry import build_model, save_checkpoint
    from conftest import TINY

    paths = [str(save_checkpoint(tmp_path / f"b{n}.pt", build_model("evfocus", dict(TINY, num_bins=n)), {}))
             for n in (3, 5)]
    rows = benchmark.bench_models([(32, 24)], 1, paths)
    assert [r.extra["model"] for r in rows] == paths and all(r.value > 0 for r in rows)


def test_bench_output_file_in_a_new_folder_is_created(tmp_path, monkeypatch, capsys):
    """-o into a folder that does not exist yet passes the check up front: the write must make it
    (it failed after the whole benchmark with "No such file or directory")."""
    from evfocus_live.cli import main

    result = {"machine": {"cpu_count": 2, "torch_threads": 1, "torch": "x", "cuda": False, "peak_rss_mb": 1.0},
              "rows": [benchmark.Row("read", "346x260", 40.0, "Mev/s").as_dict()]}
    monkeypatch.setattr(benchmark, "run", lambda **kw: result)
    out = tmp_path / "nosub" / "deeper" / "res.json"
    assert main(["bench", "--json", "-o", str(out)]) == 0, capsys.readouterr().err
    assert json.loads(out.read_text()) == result
