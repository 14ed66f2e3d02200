"""The viewer's ``--images`` (the simulated camera's scenes drawn from the user's pictures) could
not be said in a settings file: ``[sim]`` was an unknown section. ``[sim] images`` now takes the
same paths, checked as ``--images`` is (one line naming the file and key, before the viewer
starts); ``--images`` on the command line wins over it; File > Save settings writes the pictures
the simulated camera draws from (a video once, by its path) and Load settings applies them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from evfocus_live.config import SimCameraConfig
from evfocus_live.config_file import load_settings, save_settings, sim_camera_config
from evfocus_live.errors import ConfigError, EvFocusError
from evfocus_live.gui.app import _configs, build_parser, main


@pytest.fixture
def pictures(tmp_path):
    folder = tmp_path / "pics"
    folder.mkdir()
    for name in ("a.png", "b.png"):
        cv2.imwrite(str(folder / name), (np.random.default_rng(0).random((90, 120)) * 255).astype(np.uint8))
    return folder


def _settings(tmp_path, body: str):
    path = tmp_path / "lab.toml"
    path.write_text("version = 1\n" + body)
    return path


def _args(*argv):
    args = build_parser().parse_args(list(argv))
    args._argv = list(argv)
    return args


def test_a_settings_file_gives_the_sim_camera_its_pictures(tmp_path, pictures):
    path = _settings(tmp_path, f'[sim]\nimages = ["{pictures}"]\n')
    got = load_settings(path)
    assert got.has("sim", "images") and got.sim == SimCameraConfig(images=(str(pictures),))
    args = _args("--config", str(path))
    _configs(args)
    assert args.images == [str((pictures / "a.png").resolve()), str((pictures / "b.png").resolve())]


def test_images_on_the_command_line_win_over_the_file(tmp_path, pictures):
    path = _settings(tmp_path, f'[sim]\nimages = ["{pictures}"]\n')
    args = _args("--config", str(path), "--images", str(pictures / "b.png"))
    _configs(args)
    assert args.images == [str((pictures / "b.png").resolve())]


@pytest.mark.parametrize("body, says", [
    ('[sim]\nimages = "pics"\n', "[sim] images must be a list of strings"),
    ('[sim]\nimages = [""]\n', "empty path"),
    ('[sim]\nimage = ["a.png"]\n', "unknown setting [sim] image (did you mean images?)"),
])
def test_a_bad_sim_section_is_one_line_naming_the_file(tmp_path, body, says):
    path = _settings(tmp_path, body)
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    assert str(path) in str(exc.value) and says in str(exc.value), exc.value


def test_a_missing_picture_is_one_line_naming_the_file_and_key(tmp_path, capsys):
    path = _settings(tmp_path, f'[sim]\nimages = ["{tmp_path / "nope.png"}"]\n')
    with pytest.raises(EvFocusError) as exc:
        _configs(_args("--config", str(path)))
    assert f"{path}: [sim] images {tmp_path / 'nope.png'}: no such file or folder" == str(exc.value)
    assert main(["--headless", "--config", str(path), "--exit-after-s", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "[sim] images" in err[0] and "no such file or folder" in err[0], err


def test_a_recording_leaves_the_files_pictures_unread(tmp_path):
    """A lab's settings file serves recordings too: its pictures are the simulated camera's only."""
    path = _settings(tmp_path, f'[sim]\nimages = ["{tmp_path / "nope.png"}"]\n')
    args = _args(str(tmp_path / "rec.aedat4"), "--config", str(path))
    _configs(args)
    assert args.images == []


def test_saved_settings_name_the_pictures_as_images_takes_them(tmp_path, pictures):
    names = [str(pictures / "a.png"), *(f"{tmp_path / 'walk.mp4'}#{k}" for k in (0, 5, 9))]
    sim = sim_camera_config(names)
    assert sim.images == (str(pictures / "a.png"), str(tmp_path / "walk.mp4"))
    from evfocus_live.config import ModelConfig, PostConfig, WindowConfig

    path = save_settings(tmp_path / "saved.toml", WindowConfig(), ModelConfig(), PostConfig(), sim)
    assert load_settings(path).sim == sim
    plain = save_settings(tmp_path / "plain.toml", WindowConfig(), ModelConfig(), PostConfig(), sim_camera_config([]))
    assert "[sim]" not in plain.read_text() and not load_settings(plain).has("sim")


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_window_loads_and_saves_the_pictures(qtbot, tmp_path, tiny_model, pictures):
    from gui_support import make_window

    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    cam = getattr(win.session.source, "inner", win.session.source)
    a = str((pictures / "a.png").resolve())
    path = _settings(tmp_path, f'[sim]\nimages = ["{pictures / "a.png"}"]\n')
    assert win.load_settings_from(path)
    qtbot.waitUntil(lambda: set(cam._live.sim.scene.meta["textures"]) == {a}, timeout=30_000)
    assert load_settings(win.save_settings_to(tmp_path / "saved.toml")).sim.images == (a,)
    bad = _settings(tmp_path, f'[sim]\nimages = ["{tmp_path / "nope.png"}"]\n')
    assert not win.load_settings_from(bad)
    assert "[sim] images" in win.status_log[-1] and "no such file or folder" in win.status_log[-1]
    assert win.opts.sim_knobs["images"] == [a]  # (nothing changed)
    win.close()
