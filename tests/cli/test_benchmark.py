"""The benchmark's building blocks are correct (its timings are not tested: speed lives in bench)."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from evfocus_live import benchmark
from evfocus_live.core.voxel import voxel_grid
from cli_support import _bench
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

    e2vid_tiny = {k: v for k, v in TINY.items() if k != "num_deblur_blocks"}
    paths = [str(save_checkpoint(tmp_path / f"{a}.pt", build_model(a, TINY if a == "evfocus" else e2vid_tiny), {}))
             for a in ("e2vid", "evfocus")]
    out = tmp_path / "gpu.json"
    script = runpy.run_path(str(Path(__file__).resolve().parents[2] / "bench" / "bench_gpu.py"))
    # 0.6 s: the 1280x720 replay (a quarter of it) still has the 3 warm-up windows and a timed one
    assert script["main"](["--device", "cpu", "--precisions", "auto", "fp32", "--seconds", "0.6", "--frames", "1",
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

    script = runpy.run_path(str(Path(__file__).resolve().parents[2] / "bench" / "focus_readout.py"))
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
    # e2vid, the baseline, is timed too when not asked for: every row has its ratio
    assert [r.extra["model"] for r in rows] == ["e2vid", *paths] and all(r.value > 0 for r in rows)
    assert all(r.baseline == "e2vid" and r.ratio > 0 for r in rows)


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


# --- the bench/ scripts, run as a user runs them -------------------------------------------

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize("script, args", [
    ("bench_voxel.py", ["--events", "0"]),
    ("bench_voxel.py", ["--size", "346"]),
    ("bench_voxel.py", ["--threads", "0"]),
    ("bench_voxel.py", ["--repeat", "0"]),  # printed "inf ms ... 0.0x" and exit 0
    ("bench_voxel.py", ["--input", "/nonexistent.h5"]),
    ("bench_read.py", ["--events", "0"]),
    ("bench_read.py", ["--repeat", "0"]),
    ("bench_models.py", ["--models", "nosuch"]),
    ("bench_models.py", ["--runs", "0"]),
    ("bench_models.py", ["--threads", "0"]),
    pytest.param("bench_models.py", ["--device", "cuda"], marks=pytest.mark.skipif(
        torch.cuda.is_available(), reason="CUDA is there")),
    ("bench_runtime.py", ["--res", "346"]),
    ("bench_runtime.py", ["--rounds", "0"]),
    ("bench_runtime.py", ["--model", "nosuch"]),
    ("bench_runtime.py", ["--variants", "nosuch"]),
    ("focus_readout.py", ["--scenes", "nosuch"]),
    ("focus_readout.py", ["--models", "nosuch"]),
    ("focus_readout.py", ["--knobs", "2"]),  # the knob is 0..1: 2 reported a "true" blur of 12 px
    ("bench_gpu.py", ["--device", "cpu", "--frames", "0"]),
    ("bench_gpu.py", ["--device", "cpu", "--models", "nosuch"]),
], ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_bench_scripts_refuse_bad_options_in_one_line(script, args):
    """A bad value: one line on stderr and exit 2 before any timing, not a traceback
    (IndexError, ValueError, KeyError, CheckpointError ...) or a table of nonsense."""
    r = _bench(script, *args)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "Traceback" not in r.stderr, (r.returncode, r.stderr)
    assert err[0].startswith(f"{script}: error:") and not r.stdout.strip(), (err, r.stdout)


def test_bench_gpu_output_in_a_new_folder_is_created_after_the_summary(tmp_path, monkeypatch, caplog, capsys):
    """-o into a folder that does not exist yet: the folder is made (it ended in a
    FileNotFoundError after the whole run, and the summary, logged after the write, was lost);
    a write that fails anyway (/dev/full) leaves the summary logged, one error line, exit 2.
    The timing itself is faked here (the end-to-end test above runs it)."""
    import logging
    import runpy

    from evfocus_live.nn.registry import build_model, save_checkpoint
    from conftest import TINY

    ckpt = str(save_checkpoint(tmp_path / "t.pt", build_model("evfocus", TINY), {}))
    main = runpy.run_path(str(BENCH / "bench_gpu.py"))["main"]

    def fake_run(replays, name, window_ms, frames, precisions, device):
        return [benchmark.Row("end to end (replay)", res, 30.0, "frames/s",
                              extra=dict(model=name, precision=p, ms_per_frame=33.3, forward_ms=20.0,
                                         realtime_factor=1.0)) for res in replays for p in precisions]

    monkeypatch.setitem(main.__globals__, "make_replays", lambda d, seconds: {"346x260": {}, "1280x720": {}})
    monkeypatch.setitem(main.__globals__, "bench_end_to_end", fake_run)
    opts = ["--device", "cpu", "--models", ckpt, "--no-live"]
    out = tmp_path / "new" / "sub" / "gpu.json"
    with caplog.at_level(logging.INFO, logger="bench_gpu"):
        assert main([*opts, "-o", str(out)]) == 0
        assert {r["resolution"] for r in json.loads(out.read_text())["rows"]} == {"346x260", "1280x720"}
        assert sum("frames/s" in r.getMessage() for r in caplog.records) == 2, caplog.text
        caplog.clear()
        capsys.readouterr()
        if Path("/dev/full").exists():  # passes the check up front, fails on write
            assert main([*opts, "-o", "/dev/full"]) == 2
            assert sum("frames/s" in r.getMessage() for r in caplog.records) == 2, caplog.text
            err = capsys.readouterr().err.strip().splitlines()
            assert len(err) == 1 and "/dev/full" in err[0] and "logged above" in err[0], err


def _md_rows(text: str) -> list[list[str]]:
    """The body rows of the Markdown table(s) a bench script prints."""
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("| ") and not line.startswith(("| variant", "| model"))]


def test_bench_runtime_always_times_plain_first_as_the_ratio_baseline():
    """--variants without plain printed "jit ... 1.00x" under "ratio vs plain (wall)": the
    ratios were to whatever ran first. plain is now always timed, first (smoke test too)."""
    r = _bench("bench_runtime.py", "--model", "firenet", "--variants", "eager", "--res", "32x24",
               "--rounds", "1", "--frames", "1")
    assert r.returncode == 0, r.stderr
    assert "ratio vs plain (wall)" in r.stdout
    rows = _md_rows(r.stdout)
    assert [row[0] for row in rows] == ["plain", "eager"] and all(row[1] == "32x24" for row in rows), r.stdout
    assert rows[0][6] == rows[0][7] == "1.00x" and rows[1][6].endswith("x") and float(rows[1][6][:-1]) > 0


def test_bench_models_runs_one_thread_by_default_with_ratios(tmp_path):
    """bench/bench_models.py end to end on two tiny checkpoints: one torch thread unless asked
    (the README: 2 threads are 2-4x slower on 2 cores; it defaulted to 2), a row per model with
    its ratio to the first one."""
    from evfocus_live.nn.registry import build_model, save_checkpoint
    from conftest import TINY

    paths = [str(save_checkpoint(tmp_path / f"{a}.pt", build_model(a, TINY if a == "evfocus" else {"base": 4}), {}))
             for a in ("evfocus", "e2vid")]
    r = _bench("bench_models.py", "--models", *paths, "--runs", "1")
    assert r.returncode == 0, r.stderr
    assert ", 1 threads, cpu" in r.stdout.splitlines()[0]
    rows = _md_rows(r.stdout)
    assert [row[0] for row in rows] == paths and all(row[1] == "346x260" and float(row[5]) > 0 for row in rows)
    assert rows[0][6] == "1.00x" and float(rows[1][6][:-1]) > 0, r.stdout


def test_bench_voxel_runs_end_to_end():
    r = _bench("bench_voxel.py", "--events", "1000", "--size", "64x48", "--bins", "2", "--repeat", "1")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("1,000 events, 64x48, 2 bins, torch threads=1") and "vs naive" in lines[1]
    rows = {line[:28].strip(): line[28:].split() for line in lines[2:]}
    assert {"numba (default on CPU)", "torch index_add_ CPU", "naive np.add.at"} <= set(rows)
    assert rows["naive np.add.at"][-1] == "1.0x" and all(v[-1].endswith("x") and float(v[0]) > 0 for v in rows.values())


def test_bench_read_runs_end_to_end():
    """Every format: a bare reader, then our source with its overhead relative to it."""
    r = _bench("bench_read.py", "--events", "2000", "--repeat", "1")
    assert r.returncode == 0, r.stderr
    rows = [line.split() for line in r.stdout.splitlines() if line.startswith(("aedat4 ", "hdf5 ", "evt3 ", "evt2 "))]
    assert [row[0] for row in rows if not row[-1].endswith("%")] == ["aedat4", "hdf5", "evt3", "evt2"], r.stdout
    ours = {row[0]: row for row in rows if row[1].endswith("Source")}
    assert set(ours) == {"aedat4", "hdf5", "evt3", "evt2"}
    assert all(row[-1] == "%" and row[-5] == "2,000" for row in ours.values()), r.stdout
    assert "overhead: relative to the first (bare) reader" in r.stdout


def test_soak_runs_end_to_end(tmp_path):
    """bench/soak.py for a fraction of a minute on a tiny looped recording: the header, a row
    per interval, the RSS summary."""
    from evfocus_live.writers import Hdf5Writer
    from conftest import make_events

    rec = tmp_path / "tiny.h5"
    with Hdf5Writer(rec, 64, 48) as w:
        w.write(make_events(20_000, 64, 48, duration_us=200_000))
    r = _bench("soak.py", "--source", str(rec), "--minutes", "0.01", "--interval-s", "0.2")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"source {rec} (hdf5, 64x48") and lines[1].split()[:3] == ["t_s", "rss_MB", "fps"]
    rows = [line.split() for line in lines[2:] if len(line.split()) >= 11 and line.split()[0].isdigit()]
    assert 2 <= len(rows) <= 3 and int(rows[-1][9]) >= 1, r.stdout  # 0.6 s / 0.2 s (the last once twice)
    assert lines[-1].startswith("RSS ") and "frames" in lines[-1]


def test_end_to_end_row_needs_a_frame_past_the_warm_up(tmp_path, caplog, one_torch_thread):
    """A replay that ends within the warm-up frames gave a row of 0.0 frames/s; now no row."""
    from conftest import make_events

    from evfocus_live.writers import Hdf5Writer
    ev = make_events(2_000, 64, 48, duration_us=10_000)
    path = tmp_path / "short.h5"
    with Hdf5Writer(path, 64, 48) as w:
        w.write(ev)
    rows = benchmark.bench_end_to_end({"64x48": {"events": ev, "path": path}}, "firenet", 5.0, 10,
                                      precisions=("fp32",))
    assert rows == [] and "warm-up" in caplog.text
    long_ev = make_events(20_000, 64, 48, duration_us=100_000)
    with Hdf5Writer(tmp_path / "long.h5", 64, 48) as w:
        w.write(long_ev)
    rows = benchmark.bench_end_to_end({"64x48": {"events": long_ev, "path": tmp_path / "long.h5"}}, "firenet",
                                      5.0, 10, precisions=("fp32",))
    assert len(rows) == 1 and rows[0].value > 0 and rows[0].extra["frames"] == 10
