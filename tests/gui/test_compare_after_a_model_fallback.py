"""A viewer whose model did not load runs 'evfocus' instead (said); a compare model set after it
(``--compare``) must not bring the failed name back: About named it, and a precision change
loaded it again ("checkpoint not found: nosuch.pt - keeping the current precision")."""

from __future__ import annotations

import pytest
from gui_support import TIMEOUT_MS, make_window, pattern

from evfocus_live.config import ModelConfig
from evfocus_live.gui.window import about_text


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_fallback_model_stays_the_one_named_with_a_compare_model(qtbot, tmp_path):
    model = ModelConfig(name=str(tmp_path / "nosuch.pt"), device="cpu", compare="e2vid")
    win = make_window(qtbot, tmp_path, pattern(), None, model=model)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.compare is not None, timeout=TIMEOUT_MS)
    assert any("using model 'evfocus' instead" in m for m in win.status_log), win.status_log
    s = win.session
    assert s.model_cfg.name == "evfocus" and s.model_cfg.compare == "e2vid"
    assert win.model_combo.currentText() == "evfocus"
    assert "nosuch" not in about_text(s)
    said = len(win.status_log)
    win.set_precision("fp32")
    assert not any("nosuch" in m for m in win.status_log[said:]), win.status_log[said:]
    assert s.model_cfg.precision == "fp32" and s.pipeline.compare.name == "e2vid"
    win.close()
