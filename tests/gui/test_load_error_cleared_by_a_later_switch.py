"""``LiveSession.load_errors`` is why a model asked for is not the one running; a model that
did not load (the viewer fell back to 'evfocus') kept its entry after the user picked a model
that loaded: the record said the main model had failed while the one picked ran."""

from __future__ import annotations

import pytest
from model_fallback_support import fallen_back_window


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_model_that_loads_later_clears_the_load_error(qtbot, tmp_path):
    win = fallen_back_window(qtbot, tmp_path)
    s = win.session
    assert s.model_cfg.name == "evfocus" and "model" in s.load_errors
    win.set_model(str(tmp_path / "gone.pt"))  # (a failed switch: the model asked at start still not running)
    assert "model" in s.load_errors
    win.set_model("firenet")
    assert s.model_cfg.name == "firenet" and "model" not in s.load_errors
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_settings_file_whose_model_loads_clears_it_too(qtbot, tmp_path):
    win = fallen_back_window(qtbot, tmp_path)
    (tmp_path / "lab.toml").write_text('version = 1\n[model]\nname = "firenet"\n')
    assert win.load_settings_from(tmp_path / "lab.toml")
    assert win.session.model_cfg.name == "firenet" and "model" not in win.session.load_errors
    win.close()
