"""Before the first frame the panes were plain black, only the status bar saying why (a model
warming up, a source opening): an empty pane says what it waits for, centred, until its first
image; a source switch blanks them and says it again."""

from __future__ import annotations

import pytest
from gui_support import TIMEOUT_MS, Gated, make_window, pattern, placeholder_shown, wait_frames



@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_placeholder_until_the_first_image_and_after_a_switch(qtbot, tmp_path, tiny_model):
    model = Gated(tiny_model)
    win = make_window(qtbot, tmp_path, pattern(), model, remember_geometry=False)
    try:
        qtbot.waitUntil(model.entered.is_set, timeout=TIMEOUT_MS)
        # (the model's first window is held: no image yet, the warm-up said in the panes too)
        qtbot.waitUntil(lambda: "preparing model" in placeholder_shown(win.frame_pane), timeout=TIMEOUT_MS)
        assert "preparing model" in placeholder_shown(win.event_pane)
        pane = win.frame_pane
        geo = pane.placeholder.geometry()
        assert abs(geo.center().x() - pane.rect().center().x()) <= 2  # centred in the pane
        grab = pane.grab()
        assert not grab.isNull()
    finally:
        model.go.set()
    wait_frames(qtbot, win, 2)
    assert placeholder_shown(win.event_pane) == "" and placeholder_shown(win.frame_pane) == ""

    assert win.open_source(pattern(64, 48))
    # (no paint yet: the switch blanked the panes and said what they wait for again)
    assert placeholder_shown(win.event_pane) == "waiting for events"
    assert placeholder_shown(win.frame_pane) == "waiting for the first frame"
    wait_frames(qtbot, win, 2)
    assert placeholder_shown(win.event_pane) == "" and placeholder_shown(win.frame_pane) == ""
    win.close()
