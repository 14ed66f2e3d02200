"""A settings file saved before the viewer wrote absolute paths (or written by hand) names its
checkpoint or timestamps file relative to the folder it was made in, usually its own: run from
another folder, the model was 'checkpoint not found'. A relative file that is not in the current
folder but beside the settings file is now taken from there; one in the current folder still wins."""

from __future__ import annotations

from pathlib import Path

from evfocus_live.config_file import check_settings, load_settings
from evfocus_live.nn.registry import build_model, save_checkpoint

LIGHT = {"base": 4, "kernel": 3, "rec_kernel": 3, "num_residual_blocks": 1, "num_deblur_blocks": 1}


def _lab(tmp_path) -> Path:
    lab = tmp_path / "lab"
    save_checkpoint(lab / "runs" / "m.pt", build_model("evfocus", LIGHT))
    (lab / "at.txt").write_text("1000\n2000\n")
    cfg = lab / "old.toml"
    cfg.write_text('version = 1\n[window]\nmode = "timestamps"\ntimestamps_path = "at.txt"\n'
                   '[model]\nname = "runs/m.pt"\nhalf = true\nprecision = "auto"\n')
    return cfg


def test_relative_files_beside_the_settings_file_are_found_from_elsewhere(tmp_path, monkeypatch):
    cfg = _lab(tmp_path)
    monkeypatch.chdir(tmp_path)
    s = load_settings(cfg)
    check_settings(cfg, s)  # (was "[model] name: checkpoint not found: runs/m.pt")
    assert Path(s.model.name) == cfg.parent / "runs" / "m.pt"
    assert Path(s.window.timestamps_path) == cfg.parent / "at.txt"


def test_a_relative_file_in_the_current_folder_wins(tmp_path, monkeypatch):
    cfg = _lab(tmp_path)
    here = tmp_path / "here"
    save_checkpoint(here / "runs" / "m.pt", build_model("evfocus", LIGHT))
    monkeypatch.chdir(here)
    s = load_settings(cfg)
    assert s.model.name == "runs/m.pt" and Path(s.model.name).resolve() == (here / "runs" / "m.pt").resolve()
