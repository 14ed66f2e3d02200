"""Files saved by Windows Notepad ("UTF-8 with BOM") or a German spreadsheet (';'): a training
config with a BOM was "cannot parse config (Invalid statement (at line 1, column 1))", a
settings file "not a TOML settings file", and a timestamps file's first line "not a timestamp";
a ';'-separated timestamps file was refused on every line."""

from __future__ import annotations

import numpy as np

from evfocus_live.config_file import load_settings
from evfocus_live.core.slicing import read_timestamps
from evfocus_live.train.trainer import load_config

BOM = "\ufeff"


def test_training_config_with_a_bom(tmp_path):
    p = tmp_path / "mein Modell ü.toml"
    p.write_text(BOM + '[model]\r\narch = "firenet"\r\n\r\n[train]\r\nsteps = 3\r\n', encoding="utf-8")
    cfg = load_config(p)
    assert cfg["model"]["arch"] == "firenet" and cfg["train"]["steps"] == 3


def test_settings_file_with_a_bom(tmp_path):
    p = tmp_path / "lab.toml"
    p.write_text(BOM + "[window]\r\nwindow_ms = 20.0\r\n", encoding="utf-8")
    load_settings(p)  # (before: ConfigError, "not a TOML settings file")


def test_timestamps_with_a_bom_and_semicolons(tmp_path):
    p = tmp_path / "ts.csv"
    p.write_text(BOM + "0;1000\r\n1;2000\r\n2;3500\r\n", encoding="utf-8")
    assert read_timestamps(p).tolist() == [1000, 2000, 3500]
    p.write_text(BOM + "1000\n2000\n", encoding="utf-8")
    assert np.array_equal(read_timestamps(p), [1000, 2000])
