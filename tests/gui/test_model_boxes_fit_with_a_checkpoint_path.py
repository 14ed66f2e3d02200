"""The Model group's boxes list a checkpoint by its path (``--model``/``--compare ~/runs/x/best.pt``):
the box was as wide as the path, the side panel wider than its column, so at 1024x768 the panel
scrolled sideways and cut the "Reset state" button and every box's right edge. A long name is
elided in the box (whole in its list), the panel as wide as with a model's name."""

from __future__ import annotations

import shutil

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.config import ModelConfig


@pytest.mark.gui
@pytest.mark.parametrize("which", ["name", "compare"])
@pytest.mark.usefixtures("one_torch_thread")
def test_a_checkpoint_path_does_not_widen_the_side_panel(qtbot, tmp_path, tiny_model, tiny_ckpt, which):
    ck = tmp_path / "a_long_folder_name_for_the_runs" / "checkpoint_of_the_best_epoch.pt"
    ck.parent.mkdir()
    shutil.copy(tiny_ckpt, ck)
    model = ModelConfig(device="cpu", **{which: str(ck)})
    win = make_window(qtbot, tmp_path, pattern(), tiny_model if which == "compare" else None, model=model)
    win.resize(1024, 768)
    wait_frames(qtbot, win, 1)
    assert str(ck) in [win.compare_combo.itemText(i) for i in range(win.compare_combo.count())]
    panel = win.side_scroll.widget()
    assert panel.minimumSizeHint().width() <= win.side_scroll.viewport().width()
    assert not win.side_scroll.horizontalScrollBar().isVisible()
    win.close()
