"""``evfocus train ft.toml --data pics`` (the folder given to ``evfocus simulate --images``): the
line called a note beside the pictures "event recordings (notes.txt)" and never named the
pictures; it says they are pictures now, and how to simulate a training set from them."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.errors import InputError
from evfocus_live.train.dataset import list_sequences


def _pictures(folder):
    import cv2

    folder.mkdir()
    for name in ("checker.png", "text.png"):
        cv2.imwrite(str(folder / name), np.full((16, 16), 128, np.uint8))
    (folder / "notes.txt").write_text("shot on the bench\n")
    return folder


def test_a_folder_of_pictures_is_named_as_pictures(tmp_path):
    pics = _pictures(tmp_path / "lab pics")
    with pytest.raises(InputError) as err:
        list_sequences(pics)
    text = str(err.value)
    assert "pictures (checker.png, text.png)" in text, text
    assert "event recordings" not in text
    assert f"evfocus simulate DIR --images '{pics}'" in text, text


def test_recordings_alone_keep_their_line(tmp_path):
    (tmp_path / "rec.aedat4").write_bytes(b"x")
    with pytest.raises(InputError, match="event recordings"):
        list_sequences(tmp_path)
