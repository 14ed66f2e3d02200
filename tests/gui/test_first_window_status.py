"""The viewer's status bar says the model's first window at a new size while it runs (4 s of
warm-up on a CPU at 1280x720 showed "display fps 0.0" and no word) and takes it off after; a
headless run logs a first window that took over a second."""

from __future__ import annotations

import pytest
from gui_support import TIMEOUT_MS, Gated, make_window, pattern, wait_frames
from headless_support import headless_lines

from evfocus_live.nn import runtime

SAID = "first window at 96x72: preparing the model"


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_status_bar_says_the_first_window_then_clears(qtbot, tmp_path, tiny_model):
    model = Gated(tiny_model)
    win = make_window(qtbot, tmp_path, pattern(), model, remember_geometry=False)
    try:
        qtbot.waitUntil(model.entered.is_set, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: win.statusBar().currentMessage().startswith(SAID), timeout=TIMEOUT_MS)
    finally:
        model.go.set()
    wait_frames(qtbot, win, 2)
    qtbot.waitUntil(lambda: not win.statusBar().currentMessage().startswith("first window"), timeout=TIMEOUT_MS)
    assert sum(m.startswith(SAID) for m in win.status_log) == 1
    win.close()


def test_headless_logs_a_slow_first_window(tmp_path, tiny_ckpt, caplog, monkeypatch):
    """(A warm-up of at least 1.2 s, by a sleep in the first call: no upper bound is assumed.)"""
    import time

    real = runtime.InferenceModel.__call__
    calls = []

    def slow_first(self, *a, **kw):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(1.2)
        return real(self, *a, **kw)

    monkeypatch.setattr(runtime.InferenceModel, "__call__", slow_first)
    lines = headless_lines(tmp_path, tiny_ckpt, caplog, "first window took")
    assert len(lines) == 1 and "(warm-up); later windows are faster" in lines[0]

