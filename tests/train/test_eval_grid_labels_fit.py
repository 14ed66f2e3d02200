"""On a low-resolution test set (the README's 96x64 sequences) the synthetic grid's tiles were
96 px wide and their labels ran past them ("focus sweep: eve", a model's name cut into the
next tile's picture). Small tiles are now enlarged by a whole factor (pixels kept sharp) so
every label fits its tile."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from evfocus_live.nn.evfocus import EvFocus
from evfocus_live.nn.registry import save_checkpoint
from evfocus_live.train.evaluate import evaluate
from evfocus_live.train.synth import simulate_minimal

pytestmark = pytest.mark.usefixtures("one_torch_thread")

FONT = cv2.FONT_HERSHEY_SIMPLEX


def test_small_tiles_are_enlarged_so_labels_fit(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    simulate_minimal(data / "seq_00000.h5", width=48, height=40, n_frames=5, sigma_range=(5, 6), seed=1,
                     focus_sweep=True)
    torch.manual_seed(0)
    (tmp_path / "a_long_run_name").mkdir()
    ck = save_checkpoint(tmp_path / "a_long_run_name" / "final.pt", EvFocus(dict(base=4, kernel=3, num_deblur_blocks=1)))
    evaluate([str(ck)], [str(data)], tmp_path / "rep", warmup=2, progress=False)
    grid = cv2.imread(str(tmp_path / "rep" / "grid_synthetic.png"))
    tiles = 4  # events | defocused | sharp | one model
    tile_w = grid.shape[1] // tiles
    assert grid.shape[1] == tiles * tile_w and tile_w % 48 == 0  # a whole factor
    for text in ("focus sweep: events", "a_long_run_name"):
        (text_w, _), _ = cv2.getTextSize(text, FONT, 0.42, 3)
        assert 4 + text_w <= tile_w, (text, text_w, tile_w)
    # the frames themselves are the same pictures, only larger: the sharp GT tile, shrunk back
    k = tile_w // 48
    below_label = grid[20 * k:40 * k, 2 * tile_w:3 * tile_w, 0].reshape(20, k, 48, k)
    assert (below_label == below_label[:, :1, :, :1]).all()  # each source pixel a k x k block
    assert below_label.std() > 0  # a picture, not a blank tile


def test_tiles_wide_enough_are_left_as_they_are(tmp_path):
    from evfocus_live.train.evaluate import grid_scale

    assert grid_scale(346) == 1 and grid_scale(1280) == 1
    assert grid_scale(96) == 2 and grid_scale(48) == 4
