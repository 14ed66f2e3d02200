"""The viewer's inference precision: the Model group's box (auto, fp32, bf16, fp16) rebuilds the
model at once, as a model switch does, with its recurrent state reset; the precision that runs is
shown beside it and in Help > About; a choice the device cannot run runs fp32 and the status bar
says so; the choice is remembered, and ``evfocus-live --precision`` wins over it. Before, the
viewer always ran ``precision = "auto"`` and nothing showed which precision that was."""

from __future__ import annotations

import pytest
import torch
from gui_support import make_window, pattern, wait_frames

from evfocus_live.config import ModelConfig
from evfocus_live.gui import app, settings
from evfocus_live.gui.precision import PRECISION_CHOICES, precision_choice, with_precision
from evfocus_live.gui.window import about_text
from evfocus_live.nn import runtime

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def live_args(*argv: str):
    return app.build_parser().parse_args(list(argv))


@pytest.fixture
def native_bf16(monkeypatch):
    """This CPU has native bf16 or not, as the test says (autocast runs either way)."""
    def set_to(value: bool):
        monkeypatch.setattr(runtime, "_bf16_fast", lambda: value)
    return set_to


@pytest.mark.gui
def test_the_precision_box_rebuilds_the_model_and_shows_what_runs(qtbot, tmp_path, tiny_model, native_bf16,
                                                                   monkeypatch):
    native_bf16(True)
    resets = []
    reset = tiny_model.reset_states
    monkeypatch.setattr(tiny_model, "reset_states", lambda: (resets.append(1), reset())[1])
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    box = win.precision_combo
    assert [box.itemData(i) for i in range(box.count())] == list(PRECISION_CHOICES)
    wait_frames(qtbot, win, 2)
    assert box.currentData() == "auto" and win.precision_label.text() == "runs bf16"
    assert win.session.pipeline.runner.precision == "bf16"
    runner, n_resets = win.session.pipeline.runner, len(resets)

    box.setCurrentIndex(box.findData("fp32"))
    box.activated.emit(box.currentIndex())  # (as a pick with the mouse)
    pipe = win.session.pipeline
    assert pipe.runner is not runner and pipe.runner.precision == "fp32"  # rebuilt, not restarted
    assert len(resets) > n_resets  # the recurrent state starts over, as after a model switch
    assert win.session.model_cfg.precision == "fp32" and win.opts.model.precision == "fp32"
    assert win.precision_label.text() == "runs fp32"
    assert any(m.startswith("precision fp32: the model runs in fp32") for m in win.status_log), win.status_log
    assert "precision: fp32" in about_text(win.session)
    assert settings.precision(PRECISION_CHOICES) == "fp32"  # remembered
    wait_frames(qtbot, win, 2)  # and the same source goes on

    win.set_precision("bf16")
    assert win.session.pipeline.runner.precision == "bf16" and win.precision_label.text() == "runs bf16"
    wait_frames(qtbot, win, 2)
    win.close()


@pytest.mark.gui
def test_a_precision_the_device_cannot_run_is_said_and_runs_fp32(qtbot, tmp_path, tiny_model, native_bf16,
                                                                  monkeypatch):
    native_bf16(False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    box = win.precision_combo
    fp16 = box.model().item(box.findData("fp16"))
    assert not fp16.isEnabled() and "CUDA is not available" in fp16.toolTip()
    wait_frames(qtbot, win)
    assert win.precision_label.text() == "runs fp32"  # auto, without native bf16
    assert "precision: fp32 (auto)" in about_text(win.session)  # (read "fp32 (asked: auto)": a mismatch)

    win.set_precision("bf16")
    assert any("bf16 needs a CPU with native bf16" in m and m.endswith("running fp32") for m in win.status_log)
    assert box.currentData() == "bf16" and win.precision_label.text() == "runs fp32"
    assert "precision: fp32 (asked: bf16)" in about_text(win.session)

    win.set_precision("fp16")  # (--precision fp16, or a choice saved on a machine with a GPU)
    assert any(m.startswith("precision fp16 runs on a CUDA GPU only: running fp32 on the cpu")
               for m in win.status_log), win.status_log
    assert win.session.pipeline.half is False and win.precision_label.text() == "runs fp32"
    wait_frames(qtbot, win, 2)
    win.close()


def test_the_command_line_and_the_saved_choice():
    _, _, model, _ = app._configs(live_args())
    assert (model.precision, model.half) == ("auto", True)  # the defaults: as before
    assert app.remembered_precision(live_args(), model) == model  # nothing saved yet
    settings.save_precision("fp32")
    assert precision_choice(app.remembered_precision(live_args(), model)) == "fp32"
    _, _, asked, _ = app._configs(live_args("--precision", "bf16"))
    assert precision_choice(app.remembered_precision(live_args("--precision", "bf16"), asked)) == "bf16"
    _, _, fp16, _ = app._configs(live_args("--precision", "fp16"))
    assert (fp16.precision, fp16.half) == ("fp32", True)  # CUDA half; ModelConfig refuses "fp16"
    for choice in PRECISION_CHOICES:
        assert precision_choice(with_precision(ModelConfig(), choice)) == choice
