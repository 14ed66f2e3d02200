"""With a compare model the compare pane (titled "compare: e2vid") said "preparing model
evfocus..." through the first window's warm-up (the empty-pane texts of one branch met the
compare pane of another): it names the model it waits for."""

from __future__ import annotations

import pytest
from gui_support import TIMEOUT_MS, Gated, make_window, pattern, placeholder_shown, wait_frames

from evfocus_live.config import ModelConfig



@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_compare_pane_names_the_compare_model_while_preparing(qtbot, tmp_path, tiny_model):
    model = Gated(tiny_model)
    cfg = ModelConfig(name="evfocus", device="cpu", compare="e2vid")
    win = make_window(qtbot, tmp_path, pattern(), model, model=cfg, remember_geometry=False)
    try:
        qtbot.waitUntil(model.entered.is_set, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: "preparing model" in placeholder_shown(win.frame_pane), timeout=TIMEOUT_MS)
        assert win.compare_pane.isVisible()
        assert placeholder_shown(win.compare_pane) == "preparing model e2vid\u2026", placeholder_shown(win.compare_pane)
        assert placeholder_shown(win.frame_pane) == "preparing model evfocus\u2026"
    finally:
        model.go.set()
    wait_frames(qtbot, win, 2)
    win.close()
