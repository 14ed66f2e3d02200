"""Every pane and readout explains itself on hover: a lecturer pointing at "ring fill" or the
defocus map got no tooltip (only the event pane, and four readouts, had one)."""

from __future__ import annotations

import pytest
from gui_support import make_window


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_panes_and_readout_names_have_tooltips(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, "sim", tiny_model)
    assert "blue" in win.event_pane.toolTip() and "ROI" in win.event_pane.toolTip()
    assert "frame" in win.frame_pane.toolTip()
    assert "blur" in win.defocus_pane.toolTip() and "px" in win.defocus_pane.toolTip()
    for key, name in win.readouts.ROWS:
        assert win.readouts._names[key].toolTip(), name
    win.close()
