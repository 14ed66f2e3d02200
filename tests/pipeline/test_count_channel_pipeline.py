"""A ``count_channel`` checkpoint runs live and in ``evfocus reconstruct``: the pipeline gives
it the bins plus the event-count channel; a model without it still gets the bins alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import make_events
from pipeline_support import NO_POST, ArraySource

import evfocus_live.pipeline as pipeline_mod
from evfocus_live.config import ModelConfig, WindowConfig
from evfocus_live.nn.evfocus import LIGHT
from evfocus_live.nn.registry import build_model, save_checkpoint
from evfocus_live.pipeline import Pipeline

W, H = 48, 40


@pytest.fixture(scope="module")
def count_ckpt(tmp_path_factory):
    torch.manual_seed(0)
    model = build_model("evfocus", {**LIGHT, "count_channel": True})  # with the defocus head
    return save_checkpoint(tmp_path_factory.mktemp("count") / "count.pt", model)


@pytest.fixture(scope="module")
def plain_ckpt(tmp_path_factory):
    torch.manual_seed(0)
    return save_checkpoint(tmp_path_factory.mktemp("plain") / "plain.pt", build_model("evfocus", dict(LIGHT)))


def _frames(ckpt, monkeypatch):
    shapes = []
    real = pipeline_mod.model_voxel

    def spy(*a, **kw):
        vox = real(*a, **kw)
        shapes.append(tuple(vox.shape))
        return vox

    monkeypatch.setattr(pipeline_mod, "model_voxel", spy)
    ev = make_events(30_000, W, H, duration_us=60_000)
    pipe = Pipeline(ArraySource(ev, W, H), WindowConfig(mode="duration", window_ms=10),
                    model=ModelConfig(name=str(ckpt), device="cpu"), post=NO_POST)
    return pipe, list(pipe.frames()), shapes


def test_the_pipeline_feeds_a_count_model_bins_plus_one(count_ckpt, monkeypatch):
    pipe, frames, shapes = _frames(count_ckpt, monkeypatch)
    assert pipe.model.count_channel and pipe.num_bins == 5
    assert shapes[0] == (6, 2, 2)  # the kernel's warm-up, on the same path
    assert len(frames) >= 5 and set(shapes[1:]) == {(6, H, W)}
    for f in frames:
        assert f.image.shape == (H, W) and f.image.dtype == np.uint8
        assert f.sigma is not None and np.isfinite(f.defocus_px)


def test_a_plain_model_still_gets_the_bins_alone(plain_ckpt, monkeypatch):
    pipe, frames, shapes = _frames(plain_ckpt, monkeypatch)
    assert not pipe.model.count_channel and len(frames) >= 5 and set(shapes[1:]) == {(5, H, W)}


def test_reconstruct_runs_a_count_checkpoint(count_ckpt, tmp_path):
    from evfocus_live.cli import main
    from evfocus_live.writers.hdf5 import Hdf5Writer

    rec = tmp_path / "rec.h5"
    with Hdf5Writer(rec, W, H, sensor="test") as w:
        w.write(make_events(30_000, W, H, duration_us=60_000))
    out = tmp_path / "out"
    assert main(["reconstruct", str(rec), "-o", str(out), "--model", str(count_ckpt), "--device", "cpu",
                 "--window-ms", "10", "--no-progress"]) == 0
    assert len(list(out.glob("frame_*.png"))) >= 5
