"""``--snapshot-dir=~/Pictures/lecture`` (the README's teaching setup, typed with '='): no shell
expands a '~' after '=', and the snapshots went to a folder named '~' in the current one."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_support import make_window, wait_frames


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_tilde_in_the_snapshot_folder_is_the_home(qtbot, tmp_path, tiny_model, monkeypatch):
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    win = make_window(qtbot, tmp_path, "sim", tiny_model, snapshot_dir=Path("~/Pictures/lecture"))
    wait_frames(qtbot, win)
    path = win.snapshot()
    assert path is not None and path.parent == (home / "Pictures" / "lecture").resolve()
    assert not (cwd / "~").exists()
    win.close()
