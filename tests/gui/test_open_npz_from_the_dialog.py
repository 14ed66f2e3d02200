"""The viewer's open dialog offers .npz archives and plays the one chosen."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events
from gui_support import TIMEOUT_MS, make_window, pattern


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_open_dialog_lists_and_plays_an_npz(qtbot, tmp_path, tiny_model, monkeypatch):
    """The dialog's filter hid .npz files (it lists what the readers claim) and opening one
    said it is not read; now it plays like any recording."""
    from PySide6 import QtWidgets

    ev = make_events(40_000, 96, 72, duration_us=2_000_000, seed=3)
    path = tmp_path / "lab.npz"
    np.savez(path, x=ev["x"], y=ev["y"], t=ev["t"], p=ev["p"], sensor_size=np.array([96, 72]))
    asked = []
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (asked.append(a[3]), (str(path), ""))[1]))
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    win.open_file_dialog()
    assert "*.npz" in asked[0].split(";;")[0], asked[0]
    src = win.session.source
    assert (src.format, src.resolution) == ("npz", (96, 72))
    start = win.frames_painted
    qtbot.waitUntil(lambda: win.frames_painted > start, timeout=TIMEOUT_MS)
    win.close()
