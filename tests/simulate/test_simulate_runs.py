"""``evfocus simulate`` runs: --resume, a full disk, progress, focus-sweep metadata."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from simulate_support import FULL_DISK_CLI

from evfocus_live.cli import main as cli_main, main


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_simulate_on_a_full_disk_is_one_line_and_leaves_no_truncated_sequence(tmp_path):
    """HDF5 hitting a full disk printed a storm of h5py tracebacks and crashed the process
    (SIGSEGV) while closing, leaving a truncated seq_00000.h5 that training would glob."""
    out = tmp_path / "d"
    p = subprocess.run([sys.executable, "-c", FULL_DISK_CLI, "20000", "-q", "simulate", str(out), "--sequences", "1",
                        "--duration", "0.1", "--resolution", "64x48", "--frame-ms", "20", "--no-aedat4"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    err = p.stderr.strip().splitlines()
    assert p.returncode == 2, (p.returncode, p.stderr[-2000:])
    assert len(err) == 1 and "seq_00000: cannot write (File too large)" in err[0], err
    assert not list(out.iterdir()), "a partial sequence file was left behind"


def test_focus_sweep_metadata_names_the_sweep_not_an_unused_focus_distance():
    """sim_meta's focus_m was the scene's fixed focus even in a sweep, where the lens never
    focuses there: the per-frame sigma maps disagreed with it."""
    from evfocus_live.simulate import SimConfig, simulate_sequence

    cfg = SimConfig(width=32, height=24, duration_s=0.1, frame_ms=20.0, focus_sweep=True, fg_layers=(0, 0))
    res = simulate_sequence(cfg, seed=3)
    sweep = res.meta["focus_sweep"]
    assert res.meta["focus_m"] is None and sweep["near_m"] < sweep["far_m"]
    from evfocus_live.simulate import sample_scene  # the scene simulate_sequence drew for this seed

    scene = sample_scene(cfg, np.random.default_rng(3))
    for t_us, sig in zip(res.t_us, res.sigma):  # every frame's sigma follows the recorded sweep
        u = (t_us * 1e-6 / sweep["period_s"] + sweep["phase"]) % 1.0
        tri = 2 * u if u < 0.5 else 2 - 2 * u
        focus_m = 1.0 / (1.0 / sweep["far_m"] + (1.0 / sweep["near_m"] - 1.0 / sweep["far_m"]) * tri)
        want = min(max(scene.lens.sigma_px_scalar(scene.layers[0].depth_m, focus_m), 0.0), 7.0)
        assert float(sig.mean()) == pytest.approx(want, abs=0.01)
    json.dumps(res.meta)  # stays JSON for the .h5 attribute


SIM_ARGS = ["--sequences", "3", "--duration", "0.05", "--resolution", "24x16", "--frame-ms", "25", "--seed", "40"]


def test_simulate_resume_finishes_an_interrupted_run_as_if_it_had_not_stopped(tmp_path, monkeypatch, capsys):
    """An interrupted run (Ctrl-C, reboot, full disk) left its finished sequences and no
    dataset.json; a rerun was refused and --overwrite threw hours of sequences away."""
    from evfocus_live.cli import main as cli_main
    from evfocus_live.simulate import sequence

    whole, cut = tmp_path / "whole", tmp_path / "cut"
    assert cli_main(["-q", "simulate", str(whole), *SIM_ARGS]) == 0
    assert cli_main(["-q", "simulate", str(cut), *SIM_ARGS]) == 0
    for p in (cut / "dataset.json", cut / "seq_00001.h5", cut / "seq_00001.aedat4"):
        p.unlink()  # what a run stopped during sequence 1 leaves (never a half-written file)
    (cut / "seq_00002.h5").write_bytes(b"\x89HDF\r\n\x1a\n broken")  # an unreadable one is made again
    assert cli_main(["-q", "simulate", str(cut), *SIM_ARGS]) == 2
    assert "use --resume to finish that run" in capsys.readouterr().err
    made = []
    real = sequence.simulate_to_files  # what the CLI writes each sequence with
    monkeypatch.setattr(sequence, "simulate_to_files",
                        lambda cfg, seed, *a, **k: made.append(seed) or real(cfg, seed, *a, **k))
    assert cli_main(["-q", "simulate", str(cut), *SIM_ARGS, "--resume"]) == 0
    assert made == [41, 42]
    assert sorted(p.name for p in cut.iterdir()) == sorted(p.name for p in whole.iterdir())
    for p in whole.iterdir():
        assert p.read_bytes() == (cut / p.name).read_bytes(), p.name
    m = json.loads((cut / "dataset.json").read_text())
    assert [s["seed"] for s in m["sequences"]] == [40, 41, 42]


def test_simulate_resume_refuses_sequences_of_other_options(tmp_path, capsys):
    from evfocus_live.cli import main as cli_main

    out = tmp_path / "o"
    assert cli_main(["-q", "simulate", str(out), *SIM_ARGS]) == 0
    assert cli_main(["-q", "simulate", str(out), *SIM_ARGS, "--resume", "--sigma-range", "4", "4"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "seq_00000.h5: made with another config or seed than this run" in err[0], err
    assert cli_main(["-q", "simulate", str(out), *SIM_ARGS, "--resume", "--overwrite"]) == 2


SIM = ["--duration", "0.05", "--resolution", "24x16", "--frame-ms", "25", "--seed", "40", "--no-aedat4"]


def test_simulate_resume_with_fewer_sequences_refuses_the_extras(tmp_path, capsys):
    """--resume --sequences 1 over a run of 3 left seq_00001/2.h5 beside a dataset.json
    listing one sequence; training globs seq_*.h5 and would silently use all three."""
    out = tmp_path / "ds"
    assert cli_main(["-q", "simulate", str(out), "--sequences", "3", *SIM]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    assert cli_main(["-q", "simulate", str(out), "--sequences", "1", "--resume", *SIM]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "2 sequence(s) past --sequences 1" in err[0] and "seq_00001.h5" in err[0], err
    assert "--sequences 3" in err[0] and "--overwrite" in err[0], err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing touched
    # the suggested commands work: the same count resumes, a larger one adds sequences
    assert cli_main(["-q", "simulate", str(out), "--sequences", "4", "--resume", *SIM]) == 0
    m = json.loads((out / "dataset.json").read_text())
    assert [s["name"] for s in m["sequences"]] == [f"seq_{i:05d}" for i in range(4)]
    assert sorted(p.name for p in out.glob("seq_*.h5")) == [f"seq_{i:05d}.h5" for i in range(4)]


def test_simulate_progress_moves_within_one_long_sequence(tmp_path, monkeypatch):
    """The bar counted sequences: one long sequence (a soak replay, which streaming now
    allows) sat at 0/1 until the end. It counts sensor seconds, frame interval by interval,
    and ends exactly full."""
    import tqdm as tqdm_mod

    from evfocus_live.simulate import SimConfig, simulate_dataset

    seen = []

    class Recording(tqdm_mod.tqdm):
        def update(self, n=1):
            seen.append(float(self.n) + n)
            return super().update(n)

    monkeypatch.setattr(tqdm_mod, "tqdm", Recording)
    cfg = SimConfig(width=48, height=32, duration_s=0.5, frame_ms=25.0)
    simulate_dataset(cfg, tmp_path / "d", sequences=1, seed=3, aedat4=False, progress=True)
    inside = [v for v in seen if 0 < v < 0.5]
    assert len(inside) >= 10, seen  # one step per frame interval, not one per sequence
    assert seen == sorted(seen) and seen[-1] == 0.5


def test_simulate_takes_no_progress_as_reconstruct_train_and_eval_do(tmp_path, capsys):
    """A script passing --no-progress to every command got a usage error from simulate alone."""
    out = tmp_path / "sim"
    assert main(["simulate", str(out), "--sequences", "1", "--duration", "0.05", "--resolution", "32x24",
                 "--no-aedat4", "--no-progress"]) == 0
    cap = capsys.readouterr()
    assert "1 sequence," in cap.out and "simulate:" not in cap.err and "%|" not in cap.err, cap.err
    assert (out / "seq_00000.h5").is_file()
