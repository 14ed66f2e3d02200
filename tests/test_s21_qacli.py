"""Session 21's command-line QA (s21-qacli): what a demanding user met on the real recordings
and on broken input, fixed.

- ``evfocus train`` with ``device = "cuda"`` on a machine without CUDA said "use --device cpu",
  an option ``evfocus train`` does not have: it now names the config key.
- ``evfocus reconstruct --roi`` / ``--at aps`` on a truncated recording said the reader's
  warning two or three times (each up-front check opened the file again): now once.
- ``evfocus reconstruct --video`` on a full disk printed FFmpeg's "moov atom not found" before
  the one error line: now only that line.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

import pytest
import torch
from conftest import REAL_FILES
from aps_support import ckpt, read_ts, reconstruct  # noqa: F401 (ckpt: a fixture)

from evfocus_live.cli import main

DAVIS = REAL_FILES["davis346"]


# ------------------------------------------------------------------ train: the device's fix
@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_train_without_cuda_names_the_config_key_not_a_missing_option(tmp_path, capsys, device):
    """(The old line ended "(use --device cpu)": ``evfocus train --device`` is an error of its own.)"""
    cfg = tmp_path / "t.toml"
    cfg.write_text(textwrap.dedent(f"""
        [model]
        arch = "firenet"
        [data]
        train = "{tmp_path / 'no_data'}"
        [train]
        steps = 1
        out = "{tmp_path / 'run'}"
        device = "{device}"
    """))
    assert main(["train", str(cfg)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "CUDA is not available" in err, err
    assert '[train] device = "cpu"' in err and "--device" not in err, err
    assert not (tmp_path / "run").exists()


def test_the_commands_with_device_still_name_the_option():
    from evfocus_live.errors import DeviceError
    from evfocus_live.nn.registry import resolve_device

    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    with pytest.raises(DeviceError, match=r"\(use --device cpu\)"):
        resolve_device("cuda")


# ------------------------------------------------- reconstruct: a reader's warning said once
@pytest.fixture
def truncated_davis(tmp_path, shared_data):
    """The DAVIS recording cut in half: no packet index, a warning from the reader when opened."""
    data = (shared_data / DAVIS["path"].name).read_bytes()
    p = tmp_path / "cut.aedat4"
    p.write_bytes(data[: len(data) // 2])
    return p


@pytest.mark.parametrize("extra", [("--roi", "0,0,100,100", "--window-ms", "50"),
                                   ("--at", "aps"),
                                   ("--at", "aps", "--roi", "0,0,100,100", "--save-aps")])
def test_up_front_checks_do_not_repeat_the_readers_warnings(tmp_path, ckpt, truncated_davis, caplog, extra):
    """--roi and --at aps open each input before the run to check it; the run opens it again.
    The old code logged "file is truncated ..." once per opening (three times with both)."""
    out = tmp_path / "out"
    with caplog.at_level("WARNING"):
        assert reconstruct(truncated_davis, out, ckpt, *extra) == 0
    said = [r.getMessage() for r in caplog.records if "is truncated" in r.getMessage()]
    assert len(said) == 1, said
    assert len(read_ts(out)) >= 1
    assert logging.getLogger("evfocus_live.sources").level == logging.NOTSET  # put back


def test_up_front_check_errors_still_show(tmp_path, ckpt, shared_data, capsys):
    out = tmp_path / "out"
    assert reconstruct(shared_data / DAVIS["path"].name, out, ckpt, "--roi", "300,0,100,100") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "346x260" in err, err


# ------------------------------------------------- reconstruct: a cut video is one line
def test_a_video_cut_short_is_one_line_without_ffmpegs_own(tmp_path):
    """A full disk leaves an MP4 without its index; finish() reopens it to check, and FFmpeg
    wrote "[mov,mp4,...] moov atom not found" on stderr before our line. In a fresh process:
    FFmpeg's log level is read when OpenCV first loads it."""
    code = textwrap.dedent(f"""
        import os, sys
        import numpy as np
        from types import SimpleNamespace
        from pathlib import Path
        from evfocus_live.cli.reconstruct import _VideoOut
        from evfocus_live.errors import InputError
        p = Path({str(tmp_path / 'v.mp4')!r})
        v = _VideoOut(p, 30.0, False)
        rng = np.random.default_rng(0)
        for _ in range(20):
            v.write(SimpleNamespace(image=rng.integers(0, 255, (64, 96), dtype=np.uint8), event_image=None))
        v._w.release(); v._w = None  # the file as a full disk leaves it: cut before its index
        with open(p, "r+b") as fh:
            fh.truncate(os.path.getsize(p) // 2)
        try:
            v.finish()
        except InputError as exc:
            print("ERR", exc)
    """)
    env = {k: v for k, v in os.environ.items() if k != "OPENCV_FFMPEG_LOGLEVEL"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert "ERR" in r.stdout and "video incomplete" in r.stdout, (r.stdout, r.stderr)
    assert "moov" not in r.stderr and r.stderr.strip() == "", r.stderr


# ------------------------------------------------- train: --init with --resume over a last.pt
def test_resume_says_when_it_does_not_load_the_init_weights(tmp_path, caplog):
    """--resume over a last.pt goes on from it: an --init naming other weights than the run
    started from was dropped without a word. Now a warning; the same weights stay silent."""
    from train_support import tiny_cfg

    from evfocus_live.train.synth import simulate_minimal
    from evfocus_live.train.trainer import train

    data = tmp_path / "sim"
    simulate_minimal(data / "seq_00000.h5", width=64, height=48, n_frames=12, sigma_range=(1, 3), seed=1)
    a = train(tiny_cfg(data, tmp_path / "a", steps=2), progress=False)["checkpoint"]
    b_out = tmp_path / "b"
    train(tiny_cfg(data, b_out, steps=2, init=a), progress=False)
    with caplog.at_level(logging.WARNING, logger="evfocus_live.train.trainer"):
        train(tiny_cfg(data, b_out, steps=3, init=a), resume=True, progress=False)  # the same: silent
    assert not [r for r in caplog.records if "is not loaded" in r.getMessage()]
    other = train(tiny_cfg(data, tmp_path / "c", steps=1), progress=False)["checkpoint"]
    with caplog.at_level(logging.WARNING, logger="evfocus_live.train.trainer"):
        s = train(tiny_cfg(data, b_out, steps=4, init=other), resume=True, progress=False)
    said = [r.getMessage() for r in caplog.records if "is not loaded" in r.getMessage()]
    assert len(said) == 1 and str(other) in said[0] and str(a) in said[0], said
    assert s["step"] == 4  # it still goes on from last.pt


# ------------------------------------------------- reconstruct: a run that made no frame
@pytest.mark.parametrize("extra, why", [
    (("--roi", "0,0,16,16", "--window-ms", "10"), "no event inside --roi 0,0,16,16"),
    (("--end-s", "0.0000005"), "no event from --start-s 0 s to --end-s 5e-07 s"),
])
def test_a_run_that_makes_no_frame_is_one_line_and_exit_2(tmp_path, ckpt, shared_data, capsys, extra, why):
    """An ROI in a corner where the DAVIS recording has no event, or a range under 1 µs: the
    old code printed "0 frames -> OUT" and exited 0, so a script took the empty folder for done."""
    out = tmp_path / "out"
    assert reconstruct(shared_data / DAVIS["path"].name, out, ckpt, *extra) == 2
    cap = capsys.readouterr()
    err = cap.err.strip()
    assert len(err.splitlines()) == 1 and "no frame made" in err and why in err, err
    assert "0 frames" not in cap.out
    assert not list(out.glob("frame_*.png"))


def test_a_run_with_frames_in_a_corner_with_events_still_works(tmp_path, ckpt, shared_data):
    out = tmp_path / "out"
    assert reconstruct(shared_data / DAVIS["path"].name, out, ckpt, "--roi", "0,0,32,32", "--window-ms", "50") == 0
    assert len(read_ts(out)) >= 1


# ------------------------------------------------- simulate: --no-progress as the others take it
def test_simulate_takes_no_progress_as_reconstruct_train_and_eval_do(tmp_path, capsys):
    """A script passing --no-progress to every command got a usage error from simulate alone."""
    out = tmp_path / "sim"
    assert main(["simulate", str(out), "--sequences", "1", "--duration", "0.05", "--resolution", "32x24",
                 "--no-aedat4", "--no-progress"]) == 0
    cap = capsys.readouterr()
    assert "1 sequences" in cap.out and "simulate:" not in cap.err and "%|" not in cap.err, cap.err
    assert (out / "seq_00000.h5").is_file()
