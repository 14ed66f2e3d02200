"""Helpers the command-line tests share: a tiny checkpoint, a small .npy recording, running a bench script."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from conftest import make_events

from evfocus_live.nn.registry import build_model, save_checkpoint
from evfocus_live.writers.aedat4 import Aedat4Writer


@pytest.fixture(scope="module")
def tiny_ckpt(tmp_path_factory) -> Path:
    import torch

    torch.manual_seed(0)
    return save_checkpoint(tmp_path_factory.mktemp("ckpt") / "firenet_tiny.pt", build_model("firenet", {"base": 2}))


def _npy(path: Path, n: int = 4000) -> Path:
    np.save(path, make_events(n, 64, 48, duration_us=200_000))
    return path


BENCH = Path(__file__).resolve().parents[1] / "bench"


def _bench(script: str, *args: str, timeout: float = 60) -> "subprocess.CompletedProcess":
    import os
    import sys

    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, str(BENCH / script), *args], cwd=BENCH.parent, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def two_gpus(monkeypatch):
    """A machine with two CUDA devices, as far as the device checks can tell; without native bf16
    (compute capability 7.5), also where the suite runs on a real GPU (an H200 has it)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a, **k: (7, 5))


def write_aedat4(path, n=20_000, duration_us=100_000, w=64, h=48):
    with Aedat4Writer(path, w, h) as wr:
        wr.write(make_events(n, w, h, duration_us=duration_us))
    return path


def reconstruct_model_config(monkeypatch, tmp_path, *options: str):
    """The ``ModelConfig`` ``evfocus reconstruct`` (with ``options``) hands the pipeline, which is
    not built (no model run: what a GPU would be asked for is read off the config)."""
    from conftest import DAVIS_FILE

    from evfocus_live.cli import main

    seen = {}

    class _Stop(Exception):
        pass

    def fake_pipeline(src, window, model=None, **kw):
        seen["model"] = model
        raise _Stop

    monkeypatch.setattr("evfocus_live.pipeline.Pipeline", fake_pipeline)
    try:
        main(["reconstruct", str(DAVIS_FILE), "-o", str(tmp_path / "out"), "--no-progress", *options])
    except _Stop:
        pass
    return seen["model"]


def video_frames(path) -> int:
    """The frames of a video file, as OpenCV reads them."""
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    return n
