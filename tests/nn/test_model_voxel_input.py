"""A voxel grid the network cannot take is one line that names the grid and the fix.

README's model contract is ``model(voxel)`` on a ``[1, bins, H, W]`` float32 tensor; a user
calling a model by hand who passed the ``[bins, H, W]`` grid ``voxel_grid`` returns, a numpy
array, a float64 grid or one with another bin count got torch's error from deep in a conv
("required rank 4 tensor to use channels_last format", "Input type (double) and bias type
(float) should be the same", "expected input[1, 3, 264, 352] to have 5 channels").
"""

from __future__ import annotations

import pytest
import torch

from evfocus_live.nn.e2vid import E2VID
from evfocus_live.nn.evfocus import LIGHT, EvFocus
from evfocus_live.nn.firenet import FireNet

H, W = 26, 34
MODELS = [(EvFocus, LIGHT), (E2VID, dict(base=4)), (FireNet, {})]


@pytest.fixture(params=MODELS, ids=lambda m: m[0].__name__)
def model(request):
    cls, cfg = request.param
    torch.manual_seed(0)
    return cls(cfg).eval()


@pytest.mark.parametrize("voxel, kind, words", [
    (torch.rand(5, H, W), ValueError, ["[B, 5, H, W]", "(5, 26, 34)", "voxel[None]"]),
    (torch.rand(1, 3, H, W), ValueError, ["[B, 5, H, W]", "(1, 3, 26, 34)"]),
    (torch.rand(1, H, W, 5), ValueError, ["[B, 5, H, W]", "(1, 26, 34, 5)"]),
    (torch.rand(1, 5, H, W, dtype=torch.float64), TypeError, ["float64", "float32", "voxel.to(torch.float32)"]),
    (torch.zeros(1, 5, H, W, dtype=torch.uint8), TypeError, ["uint8", "float32"]),
    (torch.rand(1, 5, H, W).numpy(), TypeError, ["torch.Tensor", "numpy.ndarray"]),
], ids=["no-batch-axis", "3-bins", "channels-last-axes", "float64", "uint8", "numpy"])
def test_a_wrong_voxel_grid_is_one_line_naming_it(model, voxel, kind, words):
    model.reset_states()
    with torch.inference_mode(), pytest.raises(kind) as err:
        model(voxel)
    text = str(err.value)
    assert "\n" not in text and text.startswith(f"{type(model).__name__}: the voxel grid")
    for w in words:
        assert w in text, (w, text)
    assert model.states is None  # refused before the state was touched


def test_the_right_grid_still_runs_at_any_batch_and_size(model):
    model.reset_states()
    with torch.inference_mode():
        for shape in [(1, 5, H, W), (2, 5, 7, 9)]:
            model.reset_states()
            assert model(torch.rand(*shape))["image"].shape == (shape[0], 1, *shape[2:])
    half = model.half()  # the pipeline's fp16 on CUDA: the grid in the weights' dtype is taken
    with pytest.raises(TypeError, match="float32, the weights float16"):
        half(torch.rand(1, 5, H, W))
