"""``evfocus simulate --images pics/ --resolution 346x260`` with 160x120 pictures: every scene
enlarged them to fill the sensor, so the "sharp" frames the network learns from were soft, and
nothing said so. The pictures smaller than the sensor are named in one warning now."""

from __future__ import annotations

import logging

import numpy as np

from evfocus_live.cli import main


def _pictures(folder, sizes):
    import cv2

    folder.mkdir()
    rng = np.random.default_rng(0)
    for name, (w, h) in sizes.items():
        cv2.imwrite(str(folder / name), (rng.random((h, w)) * 255).astype(np.uint8))
    return folder


def test_pictures_smaller_than_the_sensor_are_named(tmp_path, caplog):
    pics = _pictures(tmp_path / "pics", {"small.png": (24, 16), "big.png": (80, 60)})
    with caplog.at_level(logging.WARNING):
        main(["simulate", str(tmp_path / "out"), "--sequences", "1", "--duration", "0.05",
              "--resolution", "48x32", "--seed", "1", "--no-aedat4", "--images", str(pics)])
    said = [r.getMessage() for r in caplog.records if "smaller than the" in r.getMessage()]
    assert said == ["--images: 1 of the 2 pictures (small.png) are smaller than the 48x32 sensor: each scene "
                    "enlarges them, so their sharp frames are softer than its pixels; use larger pictures or a "
                    "smaller --resolution"], caplog.text
    assert (tmp_path / "out" / "seq_00000.h5").is_file()


def test_pictures_as_large_as_the_sensor_say_nothing(tmp_path, caplog):
    pics = _pictures(tmp_path / "pics", {"a.png": (48, 32)})
    with caplog.at_level(logging.WARNING):
        main(["simulate", str(tmp_path / "out"), "--sequences", "1", "--duration", "0.05",
              "--resolution", "48x32", "--seed", "1", "--no-aedat4", "--images", str(pics)])
    assert "smaller than the" not in caplog.text
