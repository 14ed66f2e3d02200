"""``simulate --images``: a phone's portrait photo is stored sideways with an EXIF orientation
tag saying how to turn it; the tag was ignored and the texture lay on its side. Pictures are
now turned upright (``ImageOps.exif_transpose``) as they are read."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from evfocus_live.simulate import textures


def _sideways(path, orientation: int | None):
    """A 40 x 20 (w x h) picture whose left half is white, saved with ``orientation``; upright
    (6: turned 90° clockwise) it is 20 x 40 with its top half white."""
    g = np.zeros((20, 40), np.uint8)
    g[:, :20] = 255
    exif = Image.Exif()
    if orientation is not None:
        exif[textures.EXIF_ORIENTATION] = orientation
    Image.fromarray(g).save(path, exif=exif)
    return str(path)


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_a_tagged_picture_is_read_upright(tmp_path, suffix):
    textures.user_image.cache_clear()
    g = textures.user_image(_sideways(tmp_path / f"portrait{suffix}", 6))
    assert g.shape == (40, 20)
    assert g[:15].mean() > 0.8 and g[25:].mean() < 0.2  # (the white half on top)


def test_an_untagged_picture_is_as_stored(tmp_path):
    textures.user_image.cache_clear()
    g = textures.user_image(_sideways(tmp_path / "plain.png", None))
    assert g.shape == (20, 40) and g[:, :15].mean() > 0.8 and g[:, 25:].mean() < 0.2
