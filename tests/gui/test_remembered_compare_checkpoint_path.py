"""A checkpoint picked as the compare model by a path relative to the folder the viewer ran in
(``evfocus-live --compare mine.pt`` picked again in the "vs" box, or a settings file's
``compare = "mine.pt"`` loaded) was remembered as that relative path: the next launch from
another folder (a desktop launcher's, the home folder) said "not found - comparing with none" at
every start. It is remembered as the absolute path, as Save settings writes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.gui import settings

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def folder(tmp_path, tiny_ckpt, monkeypatch):
    """The folder the viewer runs in, holding ``mine.pt``."""
    d = tmp_path / "lab"
    d.mkdir()
    shutil.copy(tiny_ckpt, d / "mine.pt")
    monkeypatch.chdir(d)
    return d


@pytest.mark.gui
def test_a_relative_checkpoint_picked_is_remembered_absolute(qtbot, tmp_path, tiny_model, folder, monkeypatch):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 1)
    win.set_compare("mine.pt")
    assert win.session.pipeline.compare is not None
    assert settings.compare() == str(folder / "mine.pt")
    monkeypatch.chdir(tmp_path)  # (the next launch, from elsewhere)
    assert Path(settings.compare()).is_file()
    win.close()


@pytest.mark.gui
def test_a_relative_checkpoint_from_load_settings_is_remembered_absolute(qtbot, tmp_path, tiny_model, folder):
    (folder / "lab.toml").write_text('version = 1\n[model]\ncompare = "mine.pt"\n')
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 1)
    assert win.load_settings_from(folder / "lab.toml")
    assert win.session.pipeline.compare is not None
    assert settings.compare() == str(folder / "mine.pt")
    win.close()


def test_saved_absolute_a_name_kept(folder):
    settings.save_compare("./mine.pt")
    assert settings.compare() == str(folder / "mine.pt")
    settings.save_compare("e2vid")  # (a name stays a name)
    assert settings.compare() == "e2vid"
    settings.save_compare(None)
    assert settings.compare() == "none"
