"""The "same model as the main one" warning is said after a switch that made the two one, not
after one that failed: with the vs box comparing with the model itself (warned once), a model or
compare model picked that did not load ended with the same warning again over the line that said
why ("... - keeping the current model"): the status bar's last line hid the failure. A device
switch of the model (the device box) said it again too, over "model: X on cpu"."""

from __future__ import annotations

import pytest
from model_fallback_support import comparing_window

SAME = "the same model as the main one"


@pytest.fixture
def win(qtbot, tmp_path, tiny_model, one_torch_thread):
    w = comparing_window(qtbot, tmp_path, tiny_model, "firenet")
    w.set_model("firenet")
    assert w.status_log[-1].count(SAME) == 1  # (said once, as the switch made them one)
    yield w
    w.close()


@pytest.mark.gui
def test_a_model_that_fails_to_load_is_the_last_line(win, tmp_path):
    gone = tmp_path / "gone.pt"
    win.set_model(str(gone))
    assert win.session.model_cfg.name == "firenet"
    assert "gone.pt" in win.status_log[-1] and "keeping the current model" in win.status_log[-1], win.status_log[-3:]
    assert sum(SAME in m for m in win.status_log) == 1


@pytest.mark.gui
def test_a_compare_model_that_fails_to_load_is_the_last_line(win, tmp_path):
    gone = tmp_path / "gone.pt"
    win.set_compare(str(gone))
    assert win.session.model_cfg.compare == "firenet"
    assert "gone.pt" in win.status_log[-1] and "keeping the current comparison" in win.status_log[-1], \
        win.status_log[-3:]
    assert sum(SAME in m for m in win.status_log) == 1


@pytest.mark.gui
def test_a_device_switch_says_its_device_not_the_warning_again(win):
    win.set_model("firenet", "cpu")  # (the device box: the same model on a device)
    assert win.status_log[-1] == "model: firenet on cpu", win.status_log[-3:]
    assert sum(SAME in m for m in win.status_log) == 1
