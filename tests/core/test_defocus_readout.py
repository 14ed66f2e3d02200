"""The defocus readout (core.defocus): one number per map, weighted by event activity,
and the pipeline / viewer using it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from evfocus_live.config import WindowConfig
from evfocus_live.core.defocus import activity_weights, activity_weights_torch, defocus_readout_px
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources.base import EventSource


def test_readout_weights_the_map_by_event_activity():
    """Structure (events) in the left half, blur 1 px there; the flat right half holds the
    model's prior (5 px): the readout is the structure's blur, the plain mean is not."""
    h, w = 40, 60
    vox = np.zeros((5, h, w), np.float32)
    vox[:, :, 5:25] = np.random.default_rng(0).normal(size=(5, h, 20))
    sigma = np.full((h, w), 5.0, np.float32)
    sigma[:, :30] = 1.0
    wts = activity_weights(vox)
    assert wts.shape == (h, w) and wts[:, 15].min() > wts[:, 55].max()
    assert defocus_readout_px(sigma, wts) == pytest.approx(1.0, abs=0.1)
    assert defocus_readout_px(sigma) == pytest.approx(3.0)
    assert defocus_readout_px(sigma, np.zeros((h, w))) == pytest.approx(3.0)  # no events: plain mean
    assert defocus_readout_px(sigma[None], wts) == pytest.approx(defocus_readout_px(sigma, wts))  # [1,H,W] too
    assert defocus_readout_px(np.zeros((0, 0))) is None


def test_torch_activity_weights_are_the_numpy_ones():
    """One definition: the batch/device version (training loss, pipeline) matches the numpy
    one (eval, bench) — same taps, same border — also at the image edges."""
    rng = np.random.default_rng(1)
    vox = ((rng.random((2, 5, 50, 70)) < 0.05) * rng.normal(size=(2, 5, 50, 70))).astype(np.float32)
    vox[1, :, :, :3] = 2.0  # events right at the border
    t = activity_weights_torch(torch.from_numpy(vox))
    assert t.shape == (2, 1, 50, 70)
    for b in range(2):
        ref = activity_weights(vox[b])
        assert np.abs(t[b, 0].numpy() - ref).max() < 1e-5 * ref.max()


class _MapModel(torch.nn.Module):
    """Blur 1 px where the window has events, 6 px elsewhere."""

    def reset_states(self):
        pass

    def forward(self, voxel):
        act = (voxel.abs().sum(1, keepdim=True) > 0).float()
        return {"image": torch.sigmoid(voxel.sum(1, keepdim=True)), "sigma": 6.0 - 5.0 * act}


class _Src(EventSource):
    format = "array"

    def __init__(self, ev, w, h):
        self.ev, self.width, self.height, self.done = ev, w, h, False

    def read(self, max_events=None):
        if self.done:
            return None
        self.done = True
        return self.ev

    def close(self):
        pass


def test_pipeline_frames_carry_the_weighted_readout():
    rng = np.random.default_rng(1)
    w, h, n = 64, 48, 20_000
    ev = np.zeros(n, EVENT_DTYPE)
    ev["t"] = np.sort(rng.integers(0, 100_000, n))
    ev["x"] = rng.integers(0, 16, n)  # events only in a 16-px band on the left
    ev["y"] = rng.integers(0, h, n)
    ev["p"] = rng.choice([-1, 1], n)
    pipe = Pipeline(_Src(ev, w, h), WindowConfig(mode="duration", window_ms=20.0), model=_MapModel())
    frames = list(pipe.frames())
    assert frames
    for f in frames:
        assert f.sigma is not None and f.sigma.mean() > 4  # most of the map is the flat prior
        assert f.defocus_px is not None and f.defocus_px < 2.5  # the readout follows the structure

    from evfocus_live.gui.session import frame_view  # noqa: PLC0415  (Qt-free module)

    assert frame_view(frames[0], 0.0).defocus_mean_px == pytest.approx(frames[0].defocus_px)
