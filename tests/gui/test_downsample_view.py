"""``--downsample`` in the viewer: the window combo's label, source switches, a full-size recording."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames
from pipeline_support import read_all

from evfocus_live.sources import open_source


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_window_combo_label_source_switch_and_full_size_recording(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    assert win.last_frame.image.shape == (72, 96) and "\u2192" not in win.source_label.text()
    win.downsample_combo.setCurrentIndex(win.downsample_combo.findData(2))
    assert win.opts.window.downsample == 2
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.image.shape == (36, 48), timeout=30_000)
    assert "96x72 \u2192 48x36" in win.source_label.text()
    assert "48x36" in win.readouts.text("source")
    assert win.record_to(tmp_path / "rec.aedat4")
    wait_frames(qtbot, win, 2)
    win.event_mode_combo.setCurrentIndex(win.event_mode_combo.findData("decay"))  # the full-size pane
    wait_frames(qtbot, win, 2)
    assert win.open_source(pattern(64, 48))  # the choice is kept across a source switch (saves the recording)
    wait_frames(qtbot, win, 2)
    assert win.downsample_combo.currentData() == 2 and win.session.pipeline.width == 32
    assert win.last_frame.image.shape == (24, 32) and "64x48 \u2192 32x24" in win.source_label.text()
    src = open_source(str(tmp_path / "rec.aedat4"))
    got = read_all(src)
    assert (src.width, src.height) == (96, 72) and len(got) and got["x"].max() > 48 and got["y"].max() > 36
    win.close()
