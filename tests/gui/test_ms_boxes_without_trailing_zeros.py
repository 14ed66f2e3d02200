"""The duration box showed "33.000 ms" in every window mode (greyed in "fixed events", the
adaptive X in "adaptive"), the decay "30.00 ms": the viewer's number boxes now drop trailing
zeros ("33 ms", "33.5 ms", "0.125 ms") and keep the decimals a sub-ms window needs."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.config import WindowConfig

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def test_the_duration_box_in_each_mode(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, window=WindowConfig(mode="events", window_events=1500))
    wait_frames(qtbot, win)
    seen = {}
    for mode in ("events", "duration", "adaptive"):
        win.window_mode.setCurrentIndex(win.window_mode.findData(mode))
        seen[mode] = (win.window_ms.text(), win.window_ms.isEnabled())
    assert seen == {"events": ("33 ms", False), "duration": ("33 ms", True), "adaptive": ("33 ms", True)}, seen
    for value, text in ((33.5, "33.5 ms"), (0.125, "0.125 ms"), (100.0, "100 ms")):
        win.window_ms.setValue(value)
        assert win.window_ms.text() == text and win.window_ms.value() == value
    win.decay_spin.setValue(30.0)
    assert win.decay_spin.text() == "30 ms"
    win.close()
