"""The simulated camera's speed and light sliders say their values, as the focus knob has its blur."""

from __future__ import annotations

import pytest
from gui_support import make_window

from evfocus_live.gui.window import _sim_value_text


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_speed_and_light_sliders_show_their_values(qtbot, tmp_path, tiny_model):
    """The two sliders had no number: was the scene moving at 1x or 3x, the light full or a
    tenth? Each shows its value beside it, at once and as it is moved."""
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    c = win.session.source.inner.controls()
    c = c if isinstance(c, dict) else {d["name"]: d for d in c}
    texts = {}
    for name in ("speed", "light"):
        slider = win.sim_widgets[name]
        row = win.sim_form.labelForField(slider.parentWidget())
        assert row is not None and row.text() == c[name]["label"]  # the value in the slider's row
        texts[name] = win.sim_values[name].text()
        assert win.sim_values[name].isVisibleTo(win), name
    assert texts["speed"] == f"{c['speed']['value']:.1f}x"
    assert texts["light"] == f"{c['light']['value']:.2f}"
    win.sim_widgets["speed"].setValue(500)  # half of 0-4
    win.sim_widgets["light"].setValue(0)
    assert win.sim_values["speed"].text() == "2.0x"
    assert win.sim_values["light"].text() == f"{c['light']['min']:.2f}" == "0.05"
    win.sim_widgets["speed"].setValue(0)
    assert win.sim_values["speed"].text() == "frozen"
    win.close()


def test_a_slider_value_is_shown_to_its_step():
    assert _sim_value_text("speed", 1.04, 0.1) == "1.0x"
    assert _sim_value_text("light", 0.333, 0.05) == "0.33"
    assert _sim_value_text("light", 0.5, None) == "0.50"
    assert _sim_value_text("other", 3.0, 1) == "3"
    assert _sim_value_text("speed", 0.01, 0.1) == "frozen"
