"""A warning said as a recording opens (a file cut short: "file is truncated at byte ...") was
on the status bar for a split second: the model's first-window line ("first window at 346x260:
preparing the model") replaced it at once, and when the warm-up ended the bar was cleared, so
the user never saw that the recording was cut. Now the warning comes back after the warm-up."""

from __future__ import annotations

import pytest
from conftest import DAVIS_FILE
from gui_support import TIMEOUT_MS, Gated, make_window, wait_frames  # (its first window waits for the test)

from evfocus_live.config import WindowConfig

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def test_a_truncated_recordings_warning_is_on_the_bar_after_the_warm_up(qtbot, tmp_path, tiny_model):
    with open(DAVIS_FILE, "rb") as f:
        data = f.read()
    cut = tmp_path / "cut.aedat4"
    cut.write_bytes(data[:len(data) // 2])
    model = Gated(tiny_model)
    win = make_window(qtbot, tmp_path, str(cut), model, remember_geometry=False, speed=0.5,
                      window=WindowConfig(mode="duration", window_ms=5.0))
    bar = win.statusBar()
    try:
        qtbot.waitUntil(model.entered.is_set, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: bar.currentMessage().startswith("first window"), timeout=TIMEOUT_MS)
    finally:
        model.go.set()
    assert any("truncated" in m for m in win.status_log)
    wait_frames(qtbot, win, 2)
    qtbot.waitUntil(lambda: not bar.currentMessage().startswith("first window"), timeout=TIMEOUT_MS)
    assert "file is truncated at byte" in bar.currentMessage()
    win.close()
