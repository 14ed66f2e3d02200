"""The viewer's source label said "max x/y + 1" of a file without a size whose few far-off x/y
were set aside as corrupt (``npy_file.columns_max``): the size is the max + 1 of the others,
and the label now says so, as ``evfocus info`` does."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events
from gui_support import make_window, wait_frames


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_source_label_says_the_set_aside_events(qtbot, tmp_path, tiny_model):
    ev = make_events(20_000, 64, 48, duration_us=400_000)
    ev["x"][5] = 1124  # (a flipped byte)
    path = tmp_path / "stray.npz"
    np.savez(path, x=ev["x"], y=ev["y"], t=ev["t"], p=ev["p"])
    win = make_window(qtbot, tmp_path, str(path), tiny_model)
    wait_frames(qtbot, win, 1)
    label = win.source_label.text()
    assert "64x48" in label and "max x/y + 1 of the rest, 1 far-off set aside" in label, label
    win.close()
