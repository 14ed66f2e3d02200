"""A snapshot taken with the default ``--snapshot-dir`` (the current folder) says which folder
it went to: the status named only "evfocus_<stamp>.png", and a lecturer who started the
viewer from a launcher could not find the picture for the slides."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_support import make_window, wait_frames


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_status_names_the_snapshot_folder(qtbot, tmp_path, tiny_model, monkeypatch):
    monkeypatch.chdir(tmp_path)
    win = make_window(qtbot, tmp_path, "sim", tiny_model, snapshot_dir=Path("."))
    wait_frames(qtbot, win)
    path = win.snapshot()
    assert path is not None and path.is_absolute() and path.exists()
    said = win.statusBar().currentMessage()
    assert f"snapshot saved: {tmp_path.resolve() / path.name}" in said, said
    win.close()
