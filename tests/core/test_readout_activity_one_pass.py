"""The defocus readout's activity (|voxel grid| summed over the bins) made in one numba pass,
without torch's |grid| temporary: the very bits of the numpy/torch sums it replaced, on the
real recordings, and the pipeline's readouts the same as the old formula's frame by frame."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from conftest import DAVIS_FILE, REAL_FILES
from evfocus_live.config import ModelConfig, PostConfig, WindowConfig
from evfocus_live.core.defocus import ACTIVITY_SMOOTH_PX, _ksize, abs_sum_bins, activity_weights, defocus_readout_px
from evfocus_live.core.voxel import model_voxel
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources import open_file


def _bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


def _grids(path, n_events: int, count: int = 4):
    """Voxel grids (torch, 5 bins, normalised) of ``count`` windows of ``n_events`` of a recording."""
    with open_file(path) as src:
        ev = np.concatenate(list(src))
        w, h = src.width, src.height
    ev = ev[np.argsort(ev["t"], kind="stable")]
    starts = np.linspace(0, max(0, len(ev) - n_events), count).astype(int)
    return [model_voxel(ev[a:a + n_events], 5, w, h) for a in starts]


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_one_pass_sum_is_numpys_and_torchs_bit_for_bit(shared_data, name):
    info = REAL_FILES[name]
    for vox in _grids(info["path"], int(0.35 * info["width"] * info["height"])):
        grid = vox.numpy()
        got = abs_sum_bins(grid)
        assert got.dtype == np.float32 and got.shape == grid.shape[1:]
        assert np.count_nonzero(got) > 1000  # (a real window, not an empty grid)
        assert _bits(got) == _bits(np.abs(grid).sum(0))
        assert _bits(got) == _bits(vox.abs().sum(0).numpy())  # what the pipeline summed before
        assert _bits(abs_sum_bins(grid, backend="numpy")) == _bits(got)


def test_odd_shapes_and_views_sum_as_numpy():
    rng = np.random.default_rng(3)
    grid = ((rng.random((6, 37, 53)) < 0.2) * rng.normal(size=(6, 37, 53))).astype(np.float32)
    grid[2, 5, 7] = -0.0
    for v in (grid, grid[:5], grid[1:4, 3:, ::2], grid[:1], grid.astype(np.float64)):
        assert _bits(abs_sum_bins(v)) == _bits(np.abs(np.asarray(v, np.float32)).sum(0))
    with pytest.raises(ValueError, match="unknown backend"):
        abs_sum_bins(grid, backend="cuda")


def test_activity_weights_unchanged(shared_data):
    """``activity_weights`` (eval, bench and the pipeline): the smoothed sum, as it was made."""
    for vox in _grids(DAVIS_FILE, 31_486, count=2):
        grid = vox.numpy()
        old = cv2.GaussianBlur(np.abs(grid).sum(0), (_ksize(ACTIVITY_SMOOTH_PX),) * 2, ACTIVITY_SMOOTH_PX)
        assert _bits(activity_weights(grid)) == _bits(old)
        # the pipeline's old argument, the torch sum as one channel: the same weights
        assert _bits(activity_weights(vox.abs().sum(0, keepdim=True).numpy())) == _bits(old)


def test_pipeline_readouts_are_the_old_formulas_on_a_real_file(shared_data):
    """Each frame's defocus readout of the DAVIS346 recording (the shipped model, fp32) equals
    the old code's: torch's |grid| summed over the bins on the device, then the numpy weights."""
    pipe = Pipeline(str(DAVIS_FILE), WindowConfig(mode="duration", window_ms=16.0),
                    ModelConfig(name="evfocus", device="cpu", precision="fp32", threads=1),
                    post=PostConfig(steps=[]))
    expected = []
    infer = pipe._infer

    def spy(events):
        out, vox = infer(events)
        a = vox[0, :pipe.num_bins].float().abs().sum(0, keepdim=True).cpu().numpy()
        weights = cv2.GaussianBlur(np.abs(a).sum(0), (_ksize(ACTIVITY_SMOOTH_PX),) * 2, ACTIVITY_SMOOTH_PX)
        expected.append(defocus_readout_px(out["sigma"][0, 0].float().numpy(), weights, n_events=len(events)))
        return out, vox

    pipe._infer = spy
    try:
        got = [fr.defocus_px for fr in pipe.frames()]
    finally:
        pipe.close()
    assert len(got) >= 7 and sum(r is not None for r in got) >= 6
    assert got == expected[:len(got)]


def test_torch_sum_order_assumed():
    """The bit equality above rests on torch summing a small first axis left to right, as numpy
    does; a torch that did not would show here first, on values where the order shows."""
    v = torch.tensor([[1e8], [1.0], [-1e8], [1.0], [0.5]], dtype=torch.float32)
    assert v.abs().sum(0).item() == np.abs(v.numpy()).sum(0).item() == abs_sum_bins(v.numpy()[:, :, None]).item()
