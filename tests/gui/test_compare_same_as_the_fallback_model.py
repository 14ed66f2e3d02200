"""A model that did not load runs 'evfocus' instead; a compare model that is 'evfocus' (the "vs"
box's pick remembered from an earlier run, or ``--compare evfocus``) then ran beside itself, each
window twice for the same picture: the same-model rule the launch applies to ``--model`` was
applied before the fallback made them one. After it, the compare model is left out, said."""

from __future__ import annotations

import pytest
from model_fallback_support import fallen_back_window


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_compare_model_that_is_the_fallback_is_left_out(qtbot, tmp_path):
    win = fallen_back_window(qtbot, tmp_path, compare="evfocus")
    s = win.session
    assert s.model_cfg.name == "evfocus" and s.model_cfg.compare is None and s.pipeline.compare is None
    assert win.last_frame.compare is None and not win.compare_pane.isVisible()
    assert win.compare_combo.currentText() == "none"
    said = [m for m in win.status_log if "compare model evfocus" in m]
    assert said and "comparing with none" in said[-1], win.status_log
    assert not any("each window runs it twice" in m for m in win.status_log)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_another_compare_model_stays_after_the_fallback(qtbot, tmp_path):
    win = fallen_back_window(qtbot, tmp_path, compare="firenet", with_compare_frame=True)
    assert win.session.model_cfg.name == "evfocus" and win.session.model_cfg.compare == "firenet"
    win.close()
