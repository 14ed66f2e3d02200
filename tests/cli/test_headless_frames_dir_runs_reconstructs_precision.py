"""Headless ``--frames-dir`` ran the live default precision, auto: bf16 on a CPU with native bf16
(AMX), while ``evfocus reconstruct -o`` writes fp32 there by default, so the same recording gave
two folders of different frames (outputs ~2e-2 apart) in the same layout. A ``--frames-dir`` run
given no precision now runs reconstruct's (fp32 on a CPU) and says why in one line; ``--precision``
(or a settings file's) still wins, and a run without the folder (and the viewer) keeps auto."""

from __future__ import annotations

import argparse
import logging

import pytest
from cli_support import write_aedat4

from evfocus_live.config import ModelConfig
from evfocus_live.gui import app
from evfocus_live.gui.precision import precision_choice

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def native_bf16(monkeypatch):
    """A CPU with native bf16 (AMX), whatever this one has (autocast runs either way)."""
    monkeypatch.setattr("evfocus_live.nn.runtime._bf16_fast", lambda: True)


def _args(frames_dir, precision=None):
    return argparse.Namespace(frames_dir=frames_dir, precision=precision)


@pytest.mark.usefixtures("native_bf16")
def test_the_rule():
    cpu = ModelConfig(device="cpu")
    args = _args("out")
    assert precision_choice(app.frames_dir_precision(args, cpu)) == "fp32" and "fp32" in args.frames_precision_note
    for args in (_args(None), _args("out", "auto"), _args("out", "bf16")):  # (no folder; a choice given)
        assert app.frames_dir_precision(args, cpu) == cpu and args.frames_precision_note is None


def test_a_cpu_without_native_bf16_runs_fp32_anyway_and_says_nothing(monkeypatch):
    monkeypatch.setattr("evfocus_live.nn.runtime._bf16_fast", lambda: False)
    args, cpu = _args("out"), ModelConfig(device="cpu")
    assert app.frames_dir_precision(args, cpu) == cpu and args.frames_precision_note is None


def _run(tmp_path, tiny_ckpt, caplog, *extra) -> list[str]:
    rec = write_aedat4(tmp_path / "rec.aedat4", n=20_000, duration_us=200_000)
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        rc = app.main([str(rec), "--headless", "--model", str(tiny_ckpt), "--device", "cpu", "--post", "none",
                       "--speed", "0", *extra])
    assert rc == 0
    return [r.getMessage() for r in caplog.records]


@pytest.mark.usefixtures("native_bf16")
def test_a_frames_dir_run_says_it_runs_fp32_and_why(tmp_path, tiny_ckpt, caplog):
    said = _run(tmp_path, tiny_ckpt, caplog, "--frames-dir", str(tmp_path / "out"))
    runs = [m for m in said if m.startswith("running ")]
    assert runs and runs[0].endswith("on cpu in fp32"), runs
    assert any(m.startswith("--frames-dir: fp32 on the CPU, the frames evfocus reconstruct writes") for m in said)


@pytest.mark.usefixtures("native_bf16")
def test_without_the_folder_or_with_a_choice_it_keeps_bf16(tmp_path, tiny_ckpt, caplog):
    said = _run(tmp_path, tiny_ckpt, caplog)
    assert [m for m in said if m.startswith("running ")][0].endswith("in bf16")
    caplog.clear()
    said = _run(tmp_path, tiny_ckpt, caplog, "--frames-dir", str(tmp_path / "out2"), "--precision", "auto")
    assert [m for m in said if m.startswith("running ")][0].endswith("in bf16")
    assert not any(m.startswith("--frames-dir: fp32") for m in said)


@pytest.mark.usefixtures("native_bf16")
def test_the_folder_holds_the_frames_reconstruct_writes(tmp_path, tiny_ckpt, caplog):
    import cv2
    import numpy as np

    from evfocus_live.cli import main as evfocus

    _run(tmp_path, tiny_ckpt, caplog, "--frames-dir", str(tmp_path / "live"))
    assert evfocus(["reconstruct", str(tmp_path / "rec.aedat4"), "--model", str(tiny_ckpt), "--device", "cpu",
                    "--post", "none", "-o", str(tmp_path / "off"), "--no-progress"]) == 0
    listed = (tmp_path / "live" / "timestamps.txt").read_text()
    assert listed and listed == (tmp_path / "off" / "timestamps.txt").read_text()
    for line in listed.splitlines():
        name = f"frame_{int(line.split()[0]):010d}.png"
        live, off = (cv2.imread(str(tmp_path / d / name), cv2.IMREAD_UNCHANGED) for d in ("live", "off"))
        assert np.array_equal(live, off), name
