"""`evfocus-live --images PATH...`: the simulated camera's scenes drawn from the user's own
pictures (as `evfocus simulate --images`), through the same knob mechanism as --focus: the
headless run and the window (ViewerOptions.sim_knobs) set it on the sim camera, and every
preset scene picked later keeps the pictures. Before, only `simulate` took them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from evfocus_live.sources.sim_camera import SimCameraSource


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "mine.png"
    cv2.imwrite(str(path), (np.random.default_rng(0).random((90, 120)) * 255).astype(np.uint8))
    return path


def _textures(cam) -> list[str]:
    return list(cam._live.sim.scene.meta["textures"])


def test_the_sim_camera_draws_its_scenes_from_the_pictures(picture):
    with SimCameraSource(width=64, height=48, realtime=False) as cam:
        assert str(picture) not in _textures(cam)
        cam.set_images([str(picture)])
        cam.read()
        assert set(_textures(cam)) == {str(picture)}
        cam.set_scene("checkerboard")  # a preset picked later keeps the pictures
        cam.read()
        assert set(_textures(cam)) == {str(picture)}
        cam.set_images([])  # back to the bundled textures
        cam.read()
        assert str(picture) not in _textures(cam)


def test_the_sim_camera_refuses_names_that_are_not_pictures():
    from evfocus_live.errors import ConfigError

    with SimCameraSource(width=64, height=48, realtime=False) as cam:
        with pytest.raises(ConfigError, match="images"):
            cam.set_images("not-a-list.png")


def test_a_path_that_is_no_picture_is_one_line_before_the_viewer_starts(tmp_path, capsys):
    from evfocus_live.gui.app import main

    assert main(["--headless", "--images", str(tmp_path / "missing"), "--exit-after-s", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--images" in err[0] and "no such file or folder" in err[0], err


def test_images_with_a_recording_are_said_to_do_nothing(tmp_path, picture, caplog):
    from evfocus_live.gui.app import _configs, build_parser

    args = build_parser().parse_args([str(tmp_path / "rec.aedat4"), "--images", str(picture)])
    _configs(args)
    assert any("--images draws the simulated camera's scenes only" in r.getMessage() for r in caplog.records)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_window_sets_the_pictures_and_keeps_them_for_another_scene(qtbot, tmp_path, tiny_model, picture):
    from gui_support import make_window

    win = make_window(qtbot, tmp_path, "sim", tiny_model, sim_knobs={"images": [str(picture)]})
    cam = getattr(win.session.source, "inner", win.session.source)
    qtbot.waitUntil(lambda: set(_textures(cam)) == {str(picture)}, timeout=30_000)
    win.sim_widgets["scene"].setCurrentText("natural")  # the scene box: the pictures stay
    qtbot.waitUntil(lambda: cam._live.scene_name == "natural", timeout=30_000)
    assert set(_textures(cam)) == {str(picture)}
    win.close()
