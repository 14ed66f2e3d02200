"""``evfocus bench`` and the scripts in bench/ (GPU, read, soak, simulate, focus readout, ROI and
downsample rows): they run, take their options, refuse bad ones in one line and count what they say."""

from __future__ import annotations

import csv
import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_support import two_gpus  # noqa: F401 (fixtures)
from conftest import TINY, make_events
from reader_support import _write_long
from train_support import _tiny_ckpt_cfg, _tiny_firenet_model

from evfocus_live import benchmark
from evfocus_live.writers.hdf5 import Hdf5Writer


BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.usefixtures("one_torch_thread")
def test_end_to_end_events_per_second_count_only_the_timed_frames(tmp_path):
    """mev_per_s divided the whole replay's events by the wall time of the timed frames only
    (here 10 of ~100 windows: ten times too high); it is the rate over the sensor time those
    frames covered times the real-time factor."""
    rate_ev_s = 1_000_000
    ev = make_events(rate_ev_s, 64, 48, duration_us=1_000_000)
    path = tmp_path / "replay.h5"
    with Hdf5Writer(path, 64, 48) as w:
        w.write(ev)
    (row,) = benchmark.bench_end_to_end({"64x48": {"events": ev, "path": path}}, "firenet", 10.0, 10,
                                        precisions=("fp32",))
    x = row.extra
    expected = rate_ev_s / 1e6 * x["realtime_factor"]
    assert x["frames"] == 10 and x["mev_per_s"] == pytest.approx(expected, rel=0.2, abs=0.02)


def _bench(script, *args, timeout=30):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, str(BENCH / script), *args], cwd=BENCH.parent, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("script, args", [
    ("soak.py", ["--minutes", "-1"]),  # ran, printed a row and exited 0
    ("soak.py", ["--interval-s", "0", "--minutes", "0.01"]),  # printed rows in a busy loop
    ("soak.py", ["--minutes", "abc"]),  # argparse's usage block: several lines
    ("bench_simulate.py", ["--sequences", "0"]),  # AssertionError minutes in, after the other benches
    ("bench_simulate.py", ["--workers", "0"]),
    ("bench_simulate.py", ["--duration", "0"]),
    ("bench_simulate.py", ["--json", "."]),  # a folder: IsADirectoryError at the very end
    # a ConfigError traceback after the replays were built
    ("bench_gpu.py", ["--device", "cpu", "--precisions", "fp8", "--seconds", "0.2", "--no-live"]),
    ("bench_gpu.py", ["--device", "cpu", "--precisions", "fp16", "--seconds", "0.2", "--no-live"]),
], ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_soak_simulate_and_gpu_bench_refuse_bad_options_in_one_line(script, args):
    r = _bench(script, *args)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "Traceback" not in r.stderr, (r.returncode, r.stderr)
    assert err[0].startswith(f"{script}: error:") and not r.stdout.strip(), (err, r.stdout)


@pytest.mark.usefixtures("one_torch_thread")
def test_soak_speed_zero_is_as_fast_as_possible():
    sys.path.insert(0, str(BENCH))
    try:
        import soak
    finally:
        sys.path.remove(str(BENCH))
    assert soak.speed("0") == 0.0 and soak.speed("5.6") == 5.6
    assert np.isfinite(soak.speed("1e-3"))


@pytest.mark.usefixtures("one_torch_thread")
def test_focus_readout_feeds_each_model_voxels_of_its_own_num_bins(tmp_path, capsys):
    """bench/focus_readout.py built 5-bin voxel grids for every model: a 3-bin checkpoint
    ended in conv2d's RuntimeError."""
    import runpy

    from conftest import TINY
    from evfocus_live.nn.registry import build_model, save_checkpoint

    script = runpy.run_path(str(BENCH / "focus_readout.py"))
    ckpt = str(save_checkpoint(tmp_path / "b3.pt", build_model("evfocus", dict(TINY, sigma_head=4, num_bins=3)), {}))
    assert script["main"](["--models", ckpt, "--scenes", "text", "--knobs", "0.0", "--seconds", "0.2"]) == 0
    assert capsys.readouterr().out.count("| text |") == 1


@pytest.mark.usefixtures("one_torch_thread")
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


@pytest.mark.usefixtures("one_torch_thread")
def test_focus_readout_with_one_knob_prints_no_nan(tmp_path, capsys):
    """One knob: one true blur, so no correlation: it printed "correlation nan"."""
    main = runpy.run_path(str(BENCH / "focus_readout.py"))["main"]
    ckpt = _tiny_ckpt_cfg(tmp_path / "t.pt", sigma_head=4)
    assert main(["--models", ckpt, "--scenes", "text", "--knobs", "0.5", "--seconds", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "nan" not in out and "correlation –" in out and "at least two different true blurs" in out


@pytest.mark.usefixtures("one_torch_thread")
def test_bench_ctrl_c_keeps_the_stages_already_measured(tmp_path, monkeypatch, capsys):
    """Ctrl-C minutes into `evfocus bench` printed only "interrupted": every stage already
    timed was lost. The finished stages are printed and written to -o, and the exit is 130."""
    from evfocus_live import benchmark
    from evfocus_live.cli import main

    def interrupt(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(benchmark, "make_replays", lambda tmp, seconds: {})
    monkeypatch.setattr(benchmark, "bench_read",
                        lambda replays, repeats: [benchmark.Row("read", "346x260", 95.0, "Mev/s")])
    monkeypatch.setattr(benchmark, "bench_voxel", interrupt)
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "-o", str(out)]) == 130
    assert "| read | 346x260 |  | 95.00 | Mev/s |" in capsys.readouterr().out
    saved = json.loads(out.read_text())
    assert saved["interrupted"] is True and [r["stage"] for r in saved["rows"]] == ["read"]
    # interrupted before any stage was done: nothing to show, as before
    monkeypatch.setattr(benchmark, "bench_read", interrupt)
    assert main(["bench", "--quick"]) == 130


@pytest.mark.usefixtures("one_torch_thread")
def test_bench_threads_hold_through_the_end_to_end_stage(tmp_path, monkeypatch):
    """`evfocus bench --threads 2` timed its end-to-end rows with the pipeline's default 1
    thread (the pipeline set it), and the machine line then said "(1 threads)" for the
    whole run. The end-to-end stage runs with the threads asked for and says so."""
    import os

    from evfocus_live import benchmark

    for stage in ("bench_read", "bench_voxel", "bench_models", "bench_runtime", "bench_train_step",
                  "bench_post_and_display"):
        monkeypatch.setattr(benchmark, stage, lambda *a, **k: [])

    def replays(tmp, seconds):
        ev = make_events(200_000, 64, 48, duration_us=1_000_000)
        with Hdf5Writer(tmp / "r.h5", 64, 48) as wr:
            wr.write(ev)
        return {"64x48": {"events": ev, "path": tmp / "r.h5", "width": 64, "height": 48}}

    monkeypatch.setattr(benchmark, "make_replays", replays)
    monkeypatch.setattr(benchmark, "_model_list", lambda names: [("firenet", _tiny_firenet_model())])
    res = benchmark.run(quick=True, threads=2)
    n = min(2, os.cpu_count() or 1)
    assert res["machine"]["torch_threads"] == n
    assert [r["threads"] for r in res["rows"] if r["stage"] == "end to end (replay)"][0] == n


def test_bench_row_compares_downsampled_to_full_size_in_one_run(tmp_path, one_torch_thread):
    from evfocus_live import benchmark
    from evfocus_live.writers import Hdf5Writer

    ev = make_events(60_000, 64, 48, duration_us=300_000)
    path = tmp_path / "r.h5"
    with Hdf5Writer(path, 64, 48) as w:
        w.write(ev)
    replay = {"events": ev, "path": path}
    full = benchmark.bench_end_to_end({"1280x720": replay}, "firenet", 10.0, 5, precisions=("fp32",))
    (row,) = benchmark.downsample_rows(full, replay, 5, 0)
    assert row.stage == "end to end (replay), --downsample 2" and row.extra["model_size"] == "32x24"
    assert row.extra["frames"] == 5 and row.ratio == pytest.approx(row.value / full[0].value)


ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_times_the_gpu_it_is_given():
    """``cuda:1`` was timed on the CPU (only the exact string ``cuda`` meant a GPU)."""
    from evfocus_live.benchmark import _model_config

    cfg = _model_config("evfocus", "cuda:1", "fp16")
    assert cfg.device == "cuda:1" and cfg.half is True
    assert _model_config("evfocus", "cuda", "fp32").half is False
    assert _model_config("evfocus", "cpu", "bf16").device == "cpu"


def test_bench_gpu_takes_a_gpu_number(two_gpus, capsys):
    """``--device cuda:1`` was refused by argparse's choices; now it is a GPU and its
    precisions are the GPU's (bf16 is refused there in one line, before any replay)."""
    script = runpy.run_path(str(ROOT / "bench" / "bench_gpu.py"))
    assert script["main"](["--device", "cuda:1", "--precisions", "bf16"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not one of fp16, fp32 on --device cuda:1" in err[0], err
    assert script["main"](["--device", "cuda:5"]) == 2  # this machine has two
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cuda:0 .. cuda:1" in err[0], err


def test_bench_finds_built_in_configs_in_an_installed_package(tmp_path, monkeypatch):
    """From a wheel, ``evfocus bench --models NAME`` for a config-only name looked for
    ``models/configs`` beside site-packages; it now asks the registry (``configs_dir``)."""
    from evfocus_live import benchmark
    from evfocus_live.cli import bench as bench_cli
    from evfocus_live.errors import CheckpointError
    from evfocus_live.nn import registry

    pkg = tmp_path / "_models"  # an installed package's models: only a config for a new name
    (pkg / "configs").mkdir(parents=True)
    (pkg / "configs" / "evfocus-tiny.toml").write_text(
        '[model]\narch = "evfocus"\nbase = 2\nnum_bins = 5\n')
    monkeypatch.setattr(registry, "_PACKAGED_MODELS", pkg)
    bench_cli._check_models(["evfocus-tiny"])  # the checkout has no such config: this raised
    (name, model), = benchmark._model_list(["evfocus-tiny"])
    assert name == "evfocus-tiny (untrained)" and model.config["base"] == 2
    with pytest.raises(CheckpointError):
        bench_cli._check_models(["no-such-model"])


BENCH_READ = Path(__file__).resolve().parents[2] / "bench" / "bench_read.py"


def _bench_read(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH_READ), *args], cwd=BENCH_READ.parents[1],
                          capture_output=True, text=True, timeout=300)


def test_bench_read_formats_option_and_npy_rows():
    """--formats picks readers (a run for one format need not build 20 M-event files of every
    format), and npy is benchmarked too; an unknown name is one line and exit 2."""
    r = _bench_read("--formats", "npy", "--events", "2000", "--repeat", "1")
    assert r.returncode == 0, r.stderr
    rows = [line.split() for line in r.stdout.splitlines() if line.split()[:1] in (["npy"], ["evt3"])]
    assert [row[1] for row in rows] == ["np.load", "NpyFileSource"], r.stdout
    assert rows[1][-1] == "%" and rows[1][2] == "2,000", rows
    r = _bench_read("--formats", "npy,nosuch")
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "nosuch" in err[0] and "choose from" in err[0], r.stderr


@pytest.mark.skipif(not (BENCH_READ.parents[1] / ".git").exists(), reason="--baseline reads git history")
def test_bench_read_baseline_compares_with_a_git_revision(tmp_path):
    """--baseline REV times the readers of REV against ours on the same files (interleaved, in
    one process) and prints ours/REV per file; --real adds recordings from a folder."""
    real = tmp_path / "real"
    real.mkdir()
    _write_long("raw", real / "small.raw")
    r = _bench_read("--formats", "evt2", "--events", "2000", "--repeat", "1", "--baseline", "HEAD",
               "--real", str(real))
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0]: line.split() for line in r.stdout.splitlines()
            if line.startswith(("bench_evt2.raw ", "small.raw "))}
    assert set(rows) == {"bench_evt2.raw", "small.raw"}, r.stdout
    assert rows["small.raw"][1] == "300,000" and float(rows["small.raw"][-1]) > 0, rows
    r = _bench_read("--formats", "evt2", "--baseline", "no-such-revision")
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "no-such-revision" in err[0], r.stderr


def _tiny_evfocus():
    from evfocus_live.nn.registry import build_model

    torch.manual_seed(0)
    return build_model("evfocus", TINY).eval()


def _replay(tmp_path, w=64, h=48):
    ev = make_events(60_000, w, h, duration_us=300_000)
    path = tmp_path / "r.h5"
    with Hdf5Writer(path, w, h) as wr:
        wr.write(ev)
    return {"events": ev, "path": path, "width": w, "height": h}


def test_centred_roi_is_a_davis346_in_the_middle_of_a_gen4_sensor():
    assert benchmark.centred_roi(1280, 720) == (467, 230, 346, 260)  # bench_roi.py's default
    assert benchmark.centred_roi(64, 48, 32, 24) == (16, 12, 32, 24)
    assert benchmark.centred_roi(200, 100) == (0, 0, 200, 100)  # never larger than the sensor


def test_bench_roi_row_compares_the_roi_to_the_full_sensor_in_one_run(tmp_path, monkeypatch, one_torch_thread):
    model = _tiny_evfocus()
    monkeypatch.setattr(benchmark, "_model_list", lambda names: [("evfocus", model)])
    replay = _replay(tmp_path)
    full = benchmark.bench_end_to_end({"1280x720": replay}, "evfocus", 10.0, 5, precisions=("fp32",))
    (row,) = benchmark.roi_rows(full, replay, 5, 0, roi_wh=(32, 24))
    assert row.stage == "end to end (replay), --roi 16,12,32,24" and row.resolution == "1280x720"
    assert row.extra["model_size"] == "32x24" and row.extra["precision"] == "fp32"
    assert row.extra["frames"] == 5 and row.value > 0 and row.unit == "frames/s"
    assert row.baseline == "full sensor, fp32, this run" and row.ratio == pytest.approx(row.value / full[0].value)
    assert "model_size" not in full[0].extra  # the full-sensor row is not marked as cropped


def test_bench_run_has_the_roi_row_after_the_downsample_row(tmp_path, monkeypatch):
    """`evfocus bench` (here with every stage but end to end stubbed): the ROI row is in the
    result and the table, with its ratio against the full-sensor fp32 row."""
    for stage in ("bench_read", "bench_voxel", "bench_models", "bench_runtime", "bench_train_step",
                  "bench_post_and_display"):
        monkeypatch.setattr(benchmark, stage, lambda *a, **k: [])
    model = _tiny_evfocus()
    monkeypatch.setattr(benchmark, "_model_list", lambda names: [("evfocus", model)])
    monkeypatch.setattr(benchmark, "make_replays", lambda tmp, seconds: {"1280x720": _replay(tmp, 400, 300)})
    res = benchmark.run(quick=True, threads=1)
    stages = [r["stage"] for r in res["rows"]]
    assert stages.index("end to end (replay), --roi 27,20,346,260") > stages.index("end to end (replay), --downsample 2")
    row = next(r for r in res["rows"] if r["stage"].startswith("end to end (replay), --roi"))
    full = next(r for r in res["rows"] if r["stage"] == "end to end (replay)" and r["precision"] == "fp32")
    assert row["model_size"] == "346x260" and row["ratio"] == pytest.approx(row["value"] / full["value"])
    assert "| end to end (replay), --roi 27,20,346,260 | 1280x720 |" in benchmark.format_table(res)


@pytest.mark.parametrize("args, said", [(["--roi", "0,0,2000,16"], "1280x720"), (["--roi", "1,2"], "X,Y,W,H"),
                                        (["--window-ms", "0"], "window_ms"), (["--input", "/nonexistent.raw"],
                                                                              "nonexistent")])
def test_bench_roi_refuses_bad_options_in_one_line(args, said):
    from cli_support import _bench

    r = _bench("bench_roi.py", *args)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and "Traceback" not in r.stderr, (r.returncode, r.stderr)
    assert err[0].startswith("bench_roi.py: error:") and said in err[0] and not r.stdout.strip(), err


def test_soak_script_runs_and_reports_samples(tmp_path):
    """bench/soak.py for a couple of seconds on a tiny looped recording: samples in the CSV
    (RSS, threads, fds, objects, loop passes), the growth summary on stdout."""
    from evfocus_live.writers import Hdf5Writer

    rec = tmp_path / "tiny.h5"
    with Hdf5Writer(rec, 64, 48) as w:
        w.write(make_events(5_000, 64, 48, duration_us=100_000))
    out = tmp_path / "soak.csv"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    r = subprocess.run([sys.executable, str(BENCH / "soak.py"), "--source", str(rec), "--speed", "0",
                        "--model", "random-firenet", "--minutes", "0.04", "--interval-s", "0.5",
                        "--warmup-s", "0.5", "--out", str(out)],
                       cwd=BENCH.parent, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 3, rows
    last = rows[-1]
    assert float(last["rss_MB"]) > 10 and int(last["os_threads"]) >= 2 and int(last["fds"]) >= 3
    assert int(last["objects"]) > 1000 and int(last["frames"]) >= 1 and int(last["loops"]) >= 1, last
    assert "slope" in r.stdout and "MiB/h" in r.stdout and " loops" in r.stdout, r.stdout
    assert "soak: " in r.stderr  # the samples were logged as they came
