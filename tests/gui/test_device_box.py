"""The viewer's device box with several GPUs: what it lists and what it shows."""

from __future__ import annotations

import pytest
import torch
from cli_support import two_gpus  # noqa: F401 (fixtures)
from gui_support import make_window, pattern, wait_frames  # noqa: F401 (shared viewer helpers)

from evfocus_live.config import ModelConfig


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.gui
def test_the_viewers_device_box_lists_each_gpu_and_shows_what_runs(qtbot, tmp_path, tiny_model, two_gpus):
    """With two GPUs the box offers cuda:0 and cuda:1; a switch that cannot happen (here: torch
    without CUDA) leaves it showing the device that runs."""
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, model=ModelConfig(device="cpu"))
    box = win.device_combo
    assert [box.itemText(i) for i in range(box.count())] == ["auto", "cpu", "cuda", "cuda:0", "cuda:1"]
    assert box.currentText() == "cpu"
    wait_frames(qtbot, win)
    win.set_model(win.model_combo.currentText(), "cuda:1")
    assert any("keeping the current model" in m for m in win.status_log), win.status_log
    assert box.currentText() == "cpu" and win.session.pipeline.device.type == "cpu"
    wait_frames(qtbot, win)
    win.close()


@pytest.mark.gui
def test_the_device_box_shows_a_device_asked_for_that_it_does_not_list(qtbot, tmp_path, tiny_model, monkeypatch):
    """``--device cuda:3`` (no such GPU): the box named 'auto' until a source ran, as a
    non-editable box ignores a text it does not hold; now it lists and shows the one asked for."""
    from evfocus_live.gui import window as wmod

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(wmod.MainWindow, "open_source", lambda self, *a, **k: False)  # no source starts
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, model=ModelConfig(device="cuda:3"))
    box = win.device_combo
    assert [box.itemText(i) for i in range(box.count())] == ["auto", "cpu", "cuda", "cuda:3"]
    assert win.session is None and box.currentText() == "cuda:3"
    win.close()
