"""The camera box's "auto" with no camera attached: the status bar said "no iniVation camera found
(looked for auto; ...)", as if "auto" were a camera model; it is any model."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_auto_with_no_camera_names_no_model_called_auto(qtbot, tmp_path, tiny_model, monkeypatch):
    from evfocus_live.sources import dv_camera

    monkeypatch.setattr(dv_camera, "_dv", lambda: object())  # (dv-processing there or not)
    monkeypatch.setattr(dv_camera, "discover", lambda: [])  # (no camera attached)
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 1)
    assert not win.open_source("auto")
    said = win.status_log[-1]
    assert "iniVation: no iniVation camera found (check USB and udev rules)" in said, said
    assert "looked for auto" not in said
    assert said.endswith("keeping the current source")
    win.close()


def test_a_named_camera_is_still_named(monkeypatch):
    from evfocus_live.errors import DeviceError
    from evfocus_live.sources import dv_camera

    monkeypatch.setattr(dv_camera, "_dv", lambda: object())
    monkeypatch.setattr(dv_camera, "discover", lambda: [])
    with pytest.raises(DeviceError, match=r"^no iniVation camera found \(looked for davis346 12; check USB"):
        dv_camera.DvCameraSource("davis346", serial="12")
