"""``--palette`` (the viewer; ``evfocus reconstruct --side-by-side``) and ``[display] palette``: a
palette name that is not one is one line naming the choices (exit 2, no traceback), the settings
file keeps the choice, and the side-by-side video's event half is painted in it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from cli_support import _npy, tiny_ckpt  # noqa: F401 (a fixture)

from evfocus_live.cli import main as evfocus
from evfocus_live.cli.options import check_palette
from evfocus_live.config import DisplayConfig, ModelConfig, PostConfig, WindowConfig
from evfocus_live.config_file import load_settings, save_settings
from evfocus_live.errors import ConfigError
from evfocus_live.gui.app import main as viewer

CHOICES = "dark, light, white, gray, coolwarm"


def _one_error_line(capsys, prog: str) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{prog}: error: "), err
    return err[0]


def test_the_viewer_refuses_an_unknown_palette_in_one_line(capsys):
    assert viewer(["--palette", "pink", "--headless"]) == 2
    line = _one_error_line(capsys, "evfocus-live")
    assert "--palette 'pink'" in line and CHOICES in line


def test_reconstruct_refuses_an_unknown_palette_in_one_line(tmp_path, capsys):
    rc = evfocus(["reconstruct", str(_npy(tmp_path / "e.npy")), "-o", str(tmp_path / "o"), "--video",
                  str(tmp_path / "v.mp4"), "--side-by-side", "--palette", "rainbow"])
    assert rc == 2
    assert CHOICES in _one_error_line(capsys, "evfocus reconstruct")


def test_reconstruct_palette_needs_the_side_by_side_video(tmp_path, capsys):
    rc = evfocus(["reconstruct", str(_npy(tmp_path / "e.npy")), "-o", str(tmp_path / "o"), "--palette", "gray"])
    assert rc == 2
    assert "--side-by-side" in _one_error_line(capsys, "evfocus reconstruct")


@pytest.mark.parametrize("text, name", [("CoolWarm", "coolwarm"), (" Gray ", "gray"), ("light", "light")])
def test_metavision_spellings_are_taken(text, name):
    assert check_palette("--palette", text) == name


def test_the_settings_file_keeps_the_palette(tmp_path):
    path = save_settings(tmp_path / "lab.toml", WindowConfig(), ModelConfig(), PostConfig(),
                         display=DisplayConfig(palette="gray"))
    assert '[display]\npalette = "gray"' in path.read_text()
    got = load_settings(path)
    assert got.display == DisplayConfig(palette="gray") and got.has("display", "palette")
    assert load_settings(save_settings(tmp_path / "none.toml", WindowConfig(), ModelConfig(),
                                       PostConfig())).display.palette == "dark"


def test_a_bad_palette_in_the_settings_file_is_one_line(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text('version = 1\n[display]\npalette = "pink"\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    assert str(exc.value).startswith(f"{path}: [display] palette must be one of") and "coolwarm" in str(exc.value)


@pytest.mark.parametrize("palette, bg", [("gray", (128, 128, 128)), ("dark", (18, 18, 24))])
def test_the_side_by_side_video_shows_the_palette(tmp_path, tiny_ckpt, palette, bg):  # noqa: F811
    video = tmp_path / "v.mp4"
    rc = evfocus(["reconstruct", str(_npy(tmp_path / "e.npy", n=2000)), "-o", str(tmp_path / "o"), "--model",
                  str(tiny_ckpt), "--device", "cpu", "--window-ms", "50", "--end-s", "0.05", "--video", str(video),
                  "--side-by-side", "--palette", palette, "--no-progress"])
    assert rc == 0
    cap = cv2.VideoCapture(str(video))
    ok, frame = cap.read()
    cap.release()
    assert ok
    events = cv2.cvtColor(frame[:, :frame.shape[1] // 2], cv2.COLOR_BGR2RGB).reshape(-1, 3).astype(int)
    # the commonest colour of the event half is the background (the codec moves it a few levels)
    assert np.abs(np.median(events, axis=0) - bg).max() <= 6


@pytest.mark.parametrize("extra, want", [((), "gray"), (("--palette", "coolwarm"), None)])
def test_the_viewers_config_file_palette_unless_the_option_names_one(tmp_path, extra, want):
    from evfocus_live.gui.app import _apply_config_file, build_parser

    path = save_settings(tmp_path / "lab.toml", WindowConfig(), ModelConfig(), PostConfig(),
                         display=DisplayConfig(palette="gray"))
    argv = ["--config", str(path), *extra]
    args = build_parser().parse_args(argv)
    args._argv = argv
    _apply_config_file(args, WindowConfig(), ModelConfig(), PostConfig())
    assert getattr(args, "file_palette", None) == want
