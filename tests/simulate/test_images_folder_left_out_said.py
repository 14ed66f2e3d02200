"""``evfocus simulate --images pics/`` with a ``notes.txt`` (or a phone's ``.heic``) beside the
pictures: the folder's other files were skipped without a word, and "drawn from 6 pictures"
did not say which of the 7 files were left out. They are named in one log line now."""

from __future__ import annotations

import logging

import numpy as np

from evfocus_live.simulate.textures import user_image_names


def test_files_left_out_of_a_pictures_folder_are_named(tmp_path, caplog):
    import cv2

    for name in ("checker.png", "text.png"):
        cv2.imwrite(str(tmp_path / name), np.full((16, 16), 128, np.uint8))
    (tmp_path / "notes.txt").write_text("shot on the bench\n")
    (tmp_path / "IMG_0001.heic").write_bytes(b"\0" * 16)
    with caplog.at_level(logging.INFO, logger="evfocus_live.simulate.textures"):
        names = user_image_names([str(tmp_path)])
    assert [n.rsplit("/", 1)[-1] for n in names] == ["checker.png", "text.png"]
    said = [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]
    assert len(said) == 1, caplog.text
    assert "2 file(s)" in said[0] and "IMG_0001.heic, notes.txt" in said[0], said


def test_a_folder_of_pictures_alone_says_nothing(tmp_path, caplog):
    import cv2

    cv2.imwrite(str(tmp_path / "a.png"), np.full((16, 16), 128, np.uint8))
    (tmp_path / ".DS_Store").write_bytes(b"x")
    with caplog.at_level(logging.INFO, logger="evfocus_live.simulate.textures"):
        user_image_names([str(tmp_path)])
    assert "left out" not in caplog.text
