"""The Model group's model box set to the model the "vs" box compares with (now kept from run to
run, so met more often: the remembered compare model comes back, the user then picks it as the
main one) ran each window twice for the same picture without a word; the "vs" box and
``--compare`` say it. The model box, and a settings file loaded that names it, say it too."""

from __future__ import annotations

import pytest
from model_fallback_support import comparing_window

SAME = "the same model as the main one"


@pytest.fixture
def win(qtbot, tmp_path, tiny_model, one_torch_thread):
    w = comparing_window(qtbot, tmp_path, tiny_model, "firenet")
    assert w.session.pipeline.compare is not None and not any(SAME in m for m in w.status_log)
    yield w
    w.close()


@pytest.mark.gui
def test_the_model_box_warns_for_the_compare_model(win):
    win.set_model("e2vid")
    assert not any(SAME in m for m in win.status_log), win.status_log[-3:]
    win.set_model("firenet")
    assert win.session.model_cfg.name == "firenet" and win.session.pipeline.compare is not None
    said = [m for m in win.status_log if SAME in m]
    assert said == ["compare model firenet: the same model as the main one (firenet): each window runs it twice "
                    "for the same picture"], win.status_log[-3:]


@pytest.mark.gui
def test_a_settings_file_naming_the_compare_model_warns(win, tmp_path):
    (tmp_path / "lab.toml").write_text('version = 1\n[model]\nname = "firenet"\n')
    assert win.load_settings_from(tmp_path / "lab.toml")
    assert win.session.model_cfg.name == "firenet" and win.session.pipeline.compare is not None
    assert any(SAME in m for m in win.status_log), win.status_log[-3:]
