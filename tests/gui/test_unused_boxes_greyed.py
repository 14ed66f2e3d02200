"""The window and display boxes a mode does not read are greyed out, not left editable."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_only_the_boxes_the_modes_read_are_editable(qtbot, tmp_path, tiny_model):
    """In "fixed events" the 33 ms duration box was editable and changed nothing; in "fixed
    duration" and "adaptive" the events box; with the network-window event view the decay."""
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    assert win.window_mode.currentData() == "events"
    assert win.window_events.isEnabled() and not win.window_ms.isEnabled()
    for mode, ms_on in (("duration", True), ("adaptive", True), ("events", False)):
        win.window_mode.setCurrentIndex(win.window_mode.findData(mode))
        assert win.window_ms.isEnabled() == ms_on, mode
        assert win.window_events.isEnabled() == (mode == "events"), mode
    assert win.event_mode_combo.currentData() == "window" and not win.decay_spin.isEnabled()
    for mode in ("decay", "time_surface"):
        win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData(mode))
        assert win.decay_spin.isEnabled(), mode
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("window"))
    assert not win.decay_spin.isEnabled()
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_window_started_in_duration_mode_greys_the_events_box(qtbot, tmp_path, tiny_model):
    from evfocus_live.config import WindowConfig
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, window=WindowConfig(mode="duration", window_ms=20.0),
                      event_mode="decay")
    assert win.window_ms.isEnabled() and not win.window_events.isEnabled()
    assert win.decay_spin.isEnabled()
    win._show_window_controls(WindowConfig(mode="events"))  # (a refused setting: the controls go back)
    assert win.window_events.isEnabled() and not win.window_ms.isEnabled()
    win.close()
