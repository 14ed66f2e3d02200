"""File > Load settings of a model setting the device cannot run (fp16 on a CPU: it runs fp32)
said its warning as the model loaded, and "settings loaded from <file>" replaced it on the
status bar at once: the line was on the bar for no time. The precision box says it on top;
the load says it after its own line now."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def test_a_precision_this_cpu_cannot_run_is_said_after_the_load(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    assert win.session.pipeline.device.type == "cpu"
    path = tmp_path / "lab.toml"
    path.write_text('version = 1\n[model]\nprecision = "fp16"\n')
    assert win.load_settings_from(path), win.status_log
    log = win.status_log
    loaded = max(i for i, t in enumerate(log) if t.startswith("settings loaded from"))
    assert any("precision fp16 runs on a CUDA GPU only" in t for t in log[loaded + 1:]), log[-4:]
    assert "precision fp16 runs on a CUDA GPU only" in win.statusBar().currentMessage()
    wait_frames(qtbot, win)
    win.close()
