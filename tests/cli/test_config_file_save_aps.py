"""``--save-aps`` was checked against ``--at`` before ``--config`` was read, so a settings file
whose window is the APS frames' times (``timestamps_aps = true``, what ``--at aps`` sets) was
refused with "--save-aps needs --at aps"; a file without it is still refused, naming the key."""

from __future__ import annotations

import pytest
from aps_support import expected_frames, roi_file  # noqa: F401 (fixtures)

from evfocus_live.cli import main

APS_WINDOW = 'version = 1\n[window]\nmode = "timestamps"\ntimestamps_aps = true\n'


def test_save_aps_with_the_aps_times_from_the_settings_file(tmp_path, roi_file, tiny_ckpt):
    cfg = tmp_path / "lab.toml"
    cfg.write_text(APS_WINDOW)
    out = tmp_path / "out"
    assert main(["reconstruct", str(roi_file), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 "--no-progress", "--config", str(cfg), "--save-aps"]) == 0
    assert len(sorted(out.glob("aps_*.png"))) == len(expected_frames())


def test_save_aps_without_them_names_the_key(tmp_path, roi_file, tiny_ckpt, capsys):
    cfg = tmp_path / "lab.toml"
    cfg.write_text('version = 1\n[window]\nmode = "duration"\n')
    assert main(["reconstruct", str(roi_file), "-o", str(tmp_path / "out"), "--model", str(tiny_ckpt),
                 "--no-progress", "--config", str(cfg), "--save-aps"]) == 2
    err = capsys.readouterr().err
    assert "--save-aps needs --at aps" in err and "timestamps_aps" in err, err
