"""A model, precision or device switch loads the compare model again (onto the new device, in
the new precision). One that no longer loads (its checkpoint deleted or moved since) is left out
and said; the switch asked for goes on (it was refused: "- keeping the current model", the main
model held until the user thought to set the compare box to none)."""

from __future__ import annotations

import shutil

import pytest
from gui_support import TIMEOUT_MS, make_window, pattern

from evfocus_live.config import ModelConfig


def comparing_with_a_deleted_checkpoint(qtbot, tmp_path, tiny_model, tiny_ckpt):
    ck = tmp_path / "cmp.pt"
    shutil.copy(tiny_ckpt, ck)
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, model=ModelConfig(name="evfocus", device="cpu",
                                                                                compare=str(ck)))
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.compare is not None, timeout=TIMEOUT_MS)
    ck.unlink()
    return win, len(win.status_log)


def left_out(win, said: int) -> None:
    new = win.status_log[said:]
    assert any("compare model: checkpoint not found" in m and m.endswith("- comparing with none") for m in new), new
    assert not any("keeping the current" in m for m in new), new
    assert win.session.pipeline.compare is None and win.session.model_cfg.compare is None
    assert not win.compare_pane.isVisible() and win.compare_combo.currentText() == "none"


@pytest.mark.gui
@pytest.mark.parametrize("switch, done", [
    (lambda win: win.set_model("e2vid"), lambda win: win.session.pipeline.model_cfg.name == "e2vid"
     and win.model_combo.currentText() == "e2vid"),
    (lambda win: win.set_precision("fp32"), lambda win: win.session.pipeline.model_cfg.precision == "fp32"),
], ids=["model", "precision"])
@pytest.mark.usefixtures("one_torch_thread")
def test_a_switch_goes_on_without_a_compare_model_that_no_longer_loads(qtbot, tmp_path, tiny_model, tiny_ckpt,
                                                                       switch, done):
    win, said = comparing_with_a_deleted_checkpoint(qtbot, tmp_path, tiny_model, tiny_ckpt)
    switch(win)
    assert done(win)
    left_out(win, said)
    win.close()
