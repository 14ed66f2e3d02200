"""A model slower than the paint rate (evfocus-full on a CPU: ~0.5 s a frame) made the fps
readouts flicker between 0.0, 1.0 and 2.0, counting the frames of the last second; and the
device box offered "cuda" on a machine without it."""

from __future__ import annotations

import time

import pytest
import torch

from evfocus_live.config import PostConfig, WindowConfig

PERIOD_S = 0.7


class Slow(torch.nn.Module):
    """The tiny model, one frame every ``PERIOD_S``."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.config = getattr(inner, "config", {})

    def reset_states(self):
        self.inner.reset_states()

    def forward(self, voxel):
        time.sleep(PERIOD_S)
        return self.inner(voxel)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_fps_readouts_of_a_slow_model_hold_steady(qtbot, tmp_path, tiny_model):
    from evfocus_plugin_pattern import PatternSource

    from evfocus_live.gui.window import MainWindow, ViewerOptions

    opts = ViewerOptions(source=PatternSource(width=96, height=72), model_obj=Slow(tiny_model),
                         post=PostConfig(steps=()), window=WindowConfig(mode="events", window_events=1500),
                         record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap", remember_geometry=False)
    win = MainWindow(opts)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.frames_painted >= 4, timeout=30_000)
    seen = {"display_fps": [], "pipeline_fps": []}
    for _ in range(14):
        qtbot.wait(250)
        for key, vals in seen.items():
            vals.append(float(win.readouts.text(key)))
    for key, vals in seen.items():
        assert 0.8 < min(vals) and max(vals) < 2.0 and max(vals) - min(vals) < 0.5, (key, vals)
    win.close()


def test_a_frame_rate_says_0_once_frames_stop():
    from evfocus_live.core.stats import FrameRate

    r = FrameRate()
    for i in range(5):
        r.add(1, 10.0 + i * PERIOD_S)
    last = 10.0 + 4 * PERIOD_S
    assert r.rate(last + 0.1) == pytest.approx(1 / PERIOD_S)
    assert r.rate(last + 1.3) == pytest.approx(1 / PERIOD_S)  # (within twice its interval)
    assert r.rate(last + 1.5) == 0.0


@pytest.mark.gui
def test_the_device_box_greys_out_cuda_without_cuda(qtbot, tmp_path, tiny_model, monkeypatch):
    from evfocus_plugin_pattern import PatternSource

    from evfocus_live.gui.window import MainWindow, ViewerOptions

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    opts = ViewerOptions(source=PatternSource(width=96, height=72), model_obj=tiny_model,
                         post=PostConfig(steps=()), remember_geometry=False,
                         record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap")
    win = MainWindow(opts)
    qtbot.addWidget(win)
    model = win.device_combo.model()
    cuda = [i for i in range(win.device_combo.count()) if win.device_combo.itemText(i).startswith("cuda")]
    assert cuda and all(not model.item(i).isEnabled() for i in cuda)
    assert "not available" in model.item(cuda[0]).toolTip()
    assert model.item(win.device_combo.findText("cpu")).isEnabled()
    win.close()
