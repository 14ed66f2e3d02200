"""The Pipeline places the voxel grid, the model and its syncs on the GPU it is given."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from cli_support import two_gpus  # noqa: F401 (fixtures)
from conftest import make_events

from evfocus_live.config import ModelConfig, PostConfig, WindowConfig


pytestmark = pytest.mark.usefixtures("one_torch_thread")


class _Recorder(torch.nn.Module):
    """A model that records where it is put (``to``) without moving (no GPU here)."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(1))
        self.placed: list[torch.device] = []

    def to(self, *args, **kw):
        self.placed.append(torch.device(args[0]) if args else kw.get("device"))
        return self

    def reset_states(self):
        pass

    def forward(self, voxel):
        return {"image": torch.sigmoid(voxel.float().mean(1, keepdim=True))}


def test_the_pipeline_places_voxels_model_and_sync_on_the_gpu_asked_for(tmp_path, monkeypatch, two_gpus):
    """cuda:1 runs as cuda does (fp16 by default) but on GPU 1: the voxel grid is built there,
    the model moved there, and the per-frame synchronize waits on that GPU (a bare one waited
    on GPU 0 and opened a context there)."""
    from evfocus_live import pipeline as pipeline_mod

    built_on, synced = [], []
    real_voxel_grid = pipeline_mod.model_voxel

    def voxel_grid(*args, device="cpu", **kw):
        built_on.append(device)
        return real_voxel_grid(*args, device="cpu", **kw)  # (built on the CPU: no GPU here)

    monkeypatch.setattr(pipeline_mod, "model_voxel", voxel_grid)
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: synced.append(device))
    rec = tmp_path / "rec.npy"
    np.save(rec, make_events(3000, 64, 48, seed=4))
    model = _Recorder()
    pipe = pipeline_mod.Pipeline(str(rec), WindowConfig(mode="events", window_events=1000),
                                 ModelConfig(name="rec", device="cuda:1"), PostConfig(steps=()), model_obj=model,
                                 reconnect=False)
    try:
        frames = list(pipe.frames())
    finally:
        pipe.close()
    gpu1 = torch.device("cuda", 1)
    assert len(frames) == 3
    assert pipe.device == gpu1 and pipe.stats.device == "cuda:1" and pipe.half  # auto fp16 on any GPU
    assert model.placed == [gpu1]
    assert built_on[1:] == [gpu1] * 3  # (the first: the kernel's warm-up on the CPU)
    assert synced == [gpu1] * 3
