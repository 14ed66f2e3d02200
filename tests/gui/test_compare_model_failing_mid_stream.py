"""A compare model that raises on a window mid-stream (a plugin's, a checkpoint that cannot run
at this size) stopped the viewer's worker: no frame of either model from then on, the main
model's included. It is left out and said, the reconstruction going on, as a post-processor
that raises mid-stream is."""

from __future__ import annotations

import pytest
from gui_support import TIMEOUT_MS, make_window, pattern, wait_frames

from evfocus_live.config import ModelConfig


def _raises(voxel):
    raise RuntimeError("no kernel for this size")


def _wrong_size(voxel):  # (a model that crops: the check of its output names it as the compare model)
    import torch

    return {"image": torch.zeros(1, 1, 8, 8)}


@pytest.mark.gui
@pytest.mark.parametrize("runner, what", [(_raises, "failed on a 96x72 window: RuntimeError: no kernel for this size"),
                                          (_wrong_size, "returned an image of shape")])
@pytest.mark.usefixtures("one_torch_thread")
def test_a_compare_model_that_fails_is_left_out_and_the_main_one_goes_on(qtbot, tmp_path, tiny_model, runner, what):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model,
                      model=ModelConfig(name="evfocus", device="cpu", compare="e2vid"))
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.compare is not None, timeout=TIMEOUT_MS)
    s, said = win.session, len(win.status_log)
    with s.pipeline._command():  # (the model breaks between two windows)
        s.pipeline.compare = s.pipeline.compare._replace(runner=runner)
    qtbot.waitUntil(lambda: s.pipeline.compare is None or s.failed, timeout=TIMEOUT_MS)
    assert not s.failed, win.status_log[said:]
    n = s.pipeline.stats.frames
    qtbot.waitUntil(lambda: s.pipeline.stats.frames > n + 1, timeout=TIMEOUT_MS)  # (the main model goes on)
    wait_frames(qtbot, win, 1)
    new = win.status_log[said:]
    assert any(m.startswith("compare model 'e2vid' ") and what in m and m.endswith("- comparing with none")
               for m in new), new
    assert not win.compare_pane.isVisible() and win.compare_combo.currentText() == "none"
    assert s.model_cfg.compare is None and win.last_frame.compare is None
    win.close()
