"""``evfocus reconstruct sim -o out`` (or ``evfocus info davis346``) said "sim: no such file":
these commands read recordings only, and the line did not say that a camera's name was given
nor how to record one."""

from __future__ import annotations

import pytest

from evfocus_live.cli import main


@pytest.mark.parametrize("name", ["sim", "davis346", "prophesee"])
def test_a_camera_name_is_told_to_record_first(tmp_path, monkeypatch, capsys, name):
    monkeypatch.chdir(tmp_path)
    assert main(["info", name]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"evfocus info: error: {name}: no such file ({name} is a camera; this command reads "
                   f"recordings: evfocus-live --camera {name} --record {name}.aedat4 makes one)"], err
