"""The latency and inference-time readouts are the last painted frame's: paused, on a still
scene or at a recording's end they kept that frame's numbers as if current. Once no frame has
come for ``READOUT_STALE_S`` they read "-", and come back with the next frame."""

from __future__ import annotations

import pytest
from gui_support import TIMEOUT_MS, make_window, pattern, wait_frames

from evfocus_live.gui.window import READOUT_STALE_S


def measured(text: str) -> bool:
    return text.split()[0] not in ("-", "")


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_per_frame_readouts_go_stale_without_frames_and_come_back(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    ro = win.readouts
    qtbot.waitUntil(lambda: measured(ro.text("latency")) and measured(ro.text("infer")), timeout=TIMEOUT_MS)
    assert not win.readouts_stale()
    win.toggle_pause()
    # (waited for, not timed: it must happen some time after READOUT_STALE_S)
    qtbot.waitUntil(lambda: ro.text("latency") == "-", timeout=int(READOUT_STALE_S * 1000) + 10_000)
    assert ro.text("infer").startswith("- ("), ro.text("infer")  # the device and backend stay: they are what runs
    assert win.readouts_stale()
    win.toggle_pause()
    wait_frames(qtbot, win, 2)
    qtbot.waitUntil(lambda: measured(ro.text("latency")) and measured(ro.text("infer")), timeout=TIMEOUT_MS)
    assert ro.text("latency").endswith(" ms")
    win.close()
