"""``evfocus-live --compare X`` (or a settings file's, or the next source's) whose model does not
load: the viewer runs without it and says so. The line said "- keeping the current comparison",
at a start where none ran."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.config import ModelConfig


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_compare_model_that_cannot_load_at_the_start_says_none_runs(qtbot, tmp_path, tiny_model):
    missing = tmp_path / "gone.pt"
    win = make_window(qtbot, tmp_path, pattern(), tiny_model,
                      model=ModelConfig(name="evfocus", device="cpu", compare=str(missing)))
    wait_frames(qtbot, win, 1)
    said = [m for m in win.status_log if "gone.pt" in m]
    assert said and said[0].startswith("compare model: checkpoint not found") and said[0].endswith(
        "- comparing with none"), said
    assert not any("keeping the current comparison" in m for m in said), said
    assert win.session.pipeline.compare is None and not win.compare_pane.isVisible()
    assert win.compare_combo.currentText() == "none"
    win.close()
