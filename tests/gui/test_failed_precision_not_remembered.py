"""A precision pick whose rebuild fails keeps the current precision running, and the box goes
back to it; it was saved all the same (before the rebuild), so the next viewer started in the
choice that had failed, showing a box the last one had put back. Only a choice that runs (or
one picked with no source running, which the next source starts with) is remembered."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.errors import CheckpointError
from evfocus_live.gui import settings
from evfocus_live.gui.precision import PRECISION_CHOICES

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.gui
def test_a_precision_that_failed_to_build_is_not_remembered(qtbot, tmp_path, tiny_model, monkeypatch):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win)
    win.set_precision("fp32")
    assert settings.precision(PRECISION_CHOICES) == "fp32"

    def fails(*args, **kw):
        raise CheckpointError("model 'tiny': the GPU ran out of memory")

    monkeypatch.setattr(win.session.pipeline, "set_model", fails)
    win.set_precision("auto")
    assert win.precision_combo.currentData() == "fp32"  # (the box: what runs)
    assert any("keeping the current precision" in m for m in win.status_log), win.status_log
    assert settings.precision(PRECISION_CHOICES) == "fp32"  # (was "auto": the choice that failed)
    win.close()
