"""File > Save settings with no compare model, then File > Load settings of that file in a viewer
that compares: the compare model goes (the file said "none"; it left the key out, and the
second pane ran on)."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.config import ModelConfig


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_saved_none_turns_the_compare_pane_off(qtbot, tmp_path, tiny_model):
    plain = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, plain, 1)
    path = plain.save_settings_to(tmp_path / "plain.toml")
    plain.close()
    assert path is not None
    model = ModelConfig(name="evfocus", device="cpu", compare="e2vid")
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, model=model)
    wait_frames(qtbot, win, 1)
    assert win.compare_pane.isVisible()
    assert win.load_settings_from(path)
    assert win.session.pipeline.compare is None and win.opts.model.compare is None
    assert not win.compare_pane.isVisible() and win.compare_combo.currentText() == "none"
    win.close()
