"""A file that gives no sensor size (a ROS export's .npy, an .npz without sensor_size) runs at
max x/y + 1 of its events: `evfocus info` marks that size, the viewer's source label said
"npz, unknown, 64x48" as if the file had given it (a scene off the edges makes it too small,
and an ROI refused "does not fit the sensor" then named a size the camera does not have)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events
from gui_support import make_window, wait_frames


def save_npz(path, ev, **extra):
    np.savez(path, x=ev["x"], y=ev["y"], t=ev["t"], p=ev["p"], **extra)
    return str(path)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_source_label_says_a_guessed_size(qtbot, tmp_path, tiny_model):
    ev = make_events(20_000, 64, 48, duration_us=400_000)
    win = make_window(qtbot, tmp_path, save_npz(tmp_path / "nosize.npz", ev), tiny_model)
    wait_frames(qtbot, win, 1)
    label = win.source_label.text()
    assert "64x48" in label and "max x/y + 1" in label, label
    assert win.open_source(save_npz(tmp_path / "sized.npz", ev, sensor_size=np.array([64, 48, 2])))
    wait_frames(qtbot, win, 1)
    assert "max x/y" not in win.source_label.text(), win.source_label.text()
    win.close()
