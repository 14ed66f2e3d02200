"""The Model group's "vs" box set to the model that already runs (by name) ran each window
twice for the same picture without a word, where ``--compare`` at start-up warns: the box now
says it on the status bar too; another model, or none, says nothing of it."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.config import ModelConfig

SAME = "the same model as the main one"


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_vs_box_warns_for_the_main_model(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, model=ModelConfig(name="e2vid", device="cpu"))
    wait_frames(qtbot, win, 1)
    win.set_compare("firenet")
    assert not any(SAME in m for m in win.status_log), win.status_log[-3:]
    win.set_compare("e2vid")
    assert win.session.pipeline.compare is not None
    said = [m for m in win.status_log if SAME in m]
    assert said == ["compare model e2vid: the same model as the main one (e2vid): each window runs it twice "
                    "for the same picture"], win.status_log[-3:]
    assert win.statusBar().currentMessage() == said[0]
    win.set_compare("none")
    assert len([m for m in win.status_log if SAME in m]) == 1
    win.close()
