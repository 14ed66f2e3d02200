"""Shipped models by hand on voxel grids of odd sizes: any H, W >= 1 keeps its size; a grid
with no pixels is one ValueError line (it was torch's "Kernel size can't be greater than
actual input size", naming neither the voxel grid nor the fix)."""

from __future__ import annotations

import pytest
import torch

from evfocus_live.nn.registry import load_model, model_num_bins


@pytest.fixture(scope="module", params=["evfocus", "e2vid", "firenet"])
def model(request):
    return load_model(request.param, device="cpu")


@pytest.mark.parametrize("h, w", [(1, 1), (7, 13), (33, 65), (3, 101)])
def test_odd_sizes_keep_their_size(model, h, w):
    model.reset_states()
    with torch.inference_mode():
        out = model(torch.rand(1, model_num_bins(model), h, w))
    assert out["image"].shape == (1, 1, h, w)


@pytest.mark.parametrize("h, w", [(0, 8), (8, 0)])
def test_a_grid_with_no_pixels_is_one_line(model, h, w):
    with pytest.raises(ValueError, match="no pixels") as err:
        model(torch.zeros(1, model_num_bins(model), h, w))
    assert "\n" not in str(err.value)
