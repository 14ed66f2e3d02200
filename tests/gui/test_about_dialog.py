"""Help > About says what runs and where the viewer keeps its settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from gui_support import make_window, pattern, wait_frames
from PySide6 import QtWidgets

from evfocus_live import __version__


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_help_about_names_version_model_torch_device_and_the_settings_file(qtbot, tmp_path, tiny_model):
    """There was no way to see, in the viewer, which version and model ran on which device,
    nor where its settings (recent files, geometry) were kept."""
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win)
    help_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Help")
    next(a for a in help_menu.actions() if a.text().startswith("About")).trigger()
    dlg = win.about_dialog
    assert dlg.isVisible()
    text = dlg.findChildren(QtWidgets.QPlainTextEdit)[0].toPlainText()
    first, *rest = text.splitlines()
    assert first == f"evfocus-live {__version__}"
    lines = {k: v.strip() for k, v in (line.split(":", 1) for line in rest)}
    assert lines["model"] == f"{win.session.model_cfg.name} (evfocus-live version not recorded)"  # (a built model)
    assert lines["device"].startswith(str(win.session.pipeline.device))
    assert lines["torch"].startswith(torch.__version__)
    assert Path(lines["settings"]) == Path(os.environ["EVFOCUS_SETTINGS_DIR"]) / "evfocus-live.ini"
    dlg.close()
    win.close()
