"""A viewer without CUDA says what to do in the viewer, not a command-line flag."""

from __future__ import annotations

import pytest
import torch
from gui_support import make_window, pattern

from evfocus_live.config import ModelConfig


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_no_cuda_in_the_viewer_names_the_device_box_not_a_flag(qtbot, tmp_path, tiny_model, monkeypatch):
    """Started with cuda, or cuda picked, the status bar said "CUDA is not available (use
    --device cpu)": a flag of a command line the viewer has no box for, and at the start the
    viewer already ran on the CPU."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, model=ModelConfig(device="cuda"))
    said = [m for m in win.status_log if "CUDA is not available" in m]
    assert len(said) == 1 and said[0].endswith("- running on the CPU") and "--device" not in said[0], said
    assert win.device_combo.currentText() == "cpu"
    win.set_model(win.model_combo.currentText(), "cuda")
    said = win.status_log[-1]
    assert "CUDA is not available (pick cpu or auto in the device box)" in said, win.status_log
    assert said.endswith("keeping the current model") and "--device" not in said
    assert win.device_combo.currentText() == "cpu" and win.session.pipeline.device.type == "cpu"
    win.close()


def test_the_command_line_keeps_its_flag(monkeypatch):
    from evfocus_live.errors import DeviceError
    from evfocus_live.nn.registry import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceError, match=r"not available \(use --device cpu\)$"):
        resolve_device("cuda")
    with pytest.raises(DeviceError, match=r"not available$"):
        resolve_device("cuda", fix="")
