"""``[sim] images = ["pics/"]`` in a settings file was read from the current folder only: run
from another folder, the viewer said "no such file or folder" for pictures that lie beside the
settings file. A relative picture, folder or video now follows ``[model] name``'s rule: the
current folder's when it is there (said when beside the file is another), else beside the file."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np

from evfocus_live.config_file import load_settings


def _lab(tmp_path, images: str = '["pics/", "walk.mp4#3"]') -> Path:
    lab = tmp_path / "lab"
    (lab / "pics").mkdir(parents=True)
    cv2.imwrite(str(lab / "pics" / "a.png"), (np.random.default_rng(0).random((90, 120)) * 255).astype(np.uint8))
    (lab / "walk.mp4").write_bytes(b"not read here")
    cfg = lab / "lab.toml"
    cfg.write_text(f"version = 1\n[sim]\nimages = {images}\n")
    return cfg


def test_relative_pictures_beside_the_settings_file_are_found_from_elsewhere(tmp_path, monkeypatch, caplog):
    cfg = _lab(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        s = load_settings(cfg)
    assert s.sim.images == (str(cfg.parent / "pics"), f"{cfg.parent / 'walk.mp4'}#3")
    said = [r.getMessage() for r in caplog.records if "[sim] images" in r.getMessage()]
    assert len(said) == 2 and all("taken from beside the settings file" in m for m in said), said


def test_pictures_in_the_current_folder_win_and_are_said(tmp_path, monkeypatch, caplog):
    cfg = _lab(tmp_path, '["pics/"]')
    here = tmp_path / "here"
    (here / "pics").mkdir(parents=True)
    monkeypatch.chdir(here)
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        s = load_settings(cfg)
    assert s.sim.images == ("pics/",)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 1 and "current folder" in said[0] and "[sim] images pics/" in said[0], said


def test_absolute_and_missing_pictures_are_left_as_written(tmp_path, monkeypatch):
    cfg = _lab(tmp_path, f'["{tmp_path / "lab" / "pics"}", "gone/"]')
    monkeypatch.chdir(tmp_path)
    assert load_settings(cfg).sim.images == (str(tmp_path / "lab" / "pics"), "gone/")


def test_the_viewer_draws_from_them(tmp_path, monkeypatch):
    from evfocus_live.gui.app import _configs, build_parser

    cfg = _lab(tmp_path, '["pics/"]')
    monkeypatch.chdir(tmp_path)
    argv = ["--config", str(cfg)]
    args = build_parser().parse_args(argv)
    args._argv = argv
    _configs(args)  # (was "lab.toml: [sim] images pics/: no such file or folder")
    assert args.images == [str((cfg.parent / "pics" / "a.png").resolve())]
