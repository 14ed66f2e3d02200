"""A model without a defocus map (E2VID): the defocus pane said "this model predicts no
defocus map" under the title "defocus map (blur σ, 0-8 px)", and the meter's plot beside it
was an empty 0-8 px plot. Title, pane and plot now agree; an EvFocus map brings them back."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.nn.registry import build_model

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def test_title_pane_and_plot_agree_there_is_no_map(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), build_model("e2vid", dict(base=4, kernel=3)).eval())
    wait_frames(qtbot, win, 2)
    assert win.defocus_pane.note.toPlainText() == "this model predicts no defocus map"
    title = win.defocus_pane.title.text
    assert "px" not in title and "none" in title, title
    ind = win.defocus_indicator
    assert ind.plot_note.isVisible() and not ind.plot.getPlotItem().getAxis("left").isVisible()
    assert ind.label.text().startswith("defocus: n/a") or ind.label.text() == "n/a"
    win.defocus_check.setChecked(False)  # (the pane off and on again: the title stays true)
    win.defocus_check.setChecked(True)
    assert "px" not in win.defocus_pane.title.text
    win.close()


def test_a_map_again_brings_the_scale_back(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 2)
    ind = win.defocus_indicator
    assert "0-" in win.defocus_pane.title.text and not ind.plot_note.isVisible()
    ind.push(None)  # a window of a model without the output ...
    win._show_map_missing(True)
    assert ind.plot_note.isVisible() and "px" not in win.defocus_pane.title.text
    wait_frames(qtbot, win, 2)  # ... then the map's model's again
    assert not ind.plot_note.isVisible() and ind.plot.getPlotItem().getAxis("left").isVisible()
    assert ind.values and "0-" in win.defocus_pane.title.text
    win.close()
