"""The simulated camera's focus dial says its position, as the speed and light sliders do."""

from __future__ import annotations

import pytest
from gui_support import make_window

from evfocus_live.gui.window import _sim_value_text


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_focus_dial_shows_its_value(qtbot, tmp_path, tiny_model):
    """The dial had no number: --focus 0.3 and 0.5 (in focus) looked alike but for the notch
    (only "true blur", the simulator's answer, said anything)."""
    win = make_window(qtbot, tmp_path, "sim", tiny_model, sim_focus=0.3)
    dial = win.sim_widgets["focus"]
    assert win.sim_values["focus"].text() == "0.30"
    assert win.sim_values["focus"].isVisibleTo(win)
    assert win.sim_form.labelForField(dial.parentWidget()).text() == "focus"
    dial.setValue(500)
    assert win.sim_values["focus"].text() == "0.50 in focus"
    win.close()


def test_focus_in_focus_said():
    assert _sim_value_text("focus", 0.5, 0.01) == "0.50 in focus"
    assert _sim_value_text("focus", 0.71, 0.01) == "0.71"
