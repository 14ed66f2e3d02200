"""The "vs" box's compare model is remembered across launches, as the precision box's choice is:
before, the next ``evfocus-live`` started without it while the precision came back. ``--compare``
(or a ``--config`` file's ``[model] compare``) wins over the remembered one, a headless run does
not read it, and a remembered checkpoint since deleted is a status line, not a failed start."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern, wait_frames

from evfocus_live.config import ModelConfig
from evfocus_live.gui import app, settings

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def live_args(*argv: str):
    return app.build_parser().parse_args(list(argv))


@pytest.mark.gui
def test_the_vs_box_choice_comes_back_at_the_next_launch(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 1)
    assert settings.compare() is None  # (nothing picked yet)
    win.set_compare("e2vid")
    assert win.session.pipeline.compare is not None
    assert settings.compare() == "e2vid"
    _, _, model, _ = app._configs(live_args())
    assert model.compare is None  # (the command line's default: none)
    assert app.remembered_compare(live_args(), model).compare == "e2vid"  # the next launch's
    win.set_compare("none")
    assert settings.compare() == "none"
    assert app.remembered_compare(live_args(), ModelConfig(compare="e2vid")).compare is None
    win.close()


@pytest.mark.gui
def test_a_compare_that_failed_to_load_is_not_remembered(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 1)
    win.set_compare("e2vid")
    win.set_compare(str(tmp_path / "gone.pt"))
    assert win.compare_combo.currentText() == "e2vid"  # (the box went back)
    assert settings.compare() == "e2vid"
    win.close()


def test_the_command_line_and_a_settings_file_win_over_the_remembered_one(tmp_path):
    settings.save_compare("e2vid")
    _, _, asked, _ = app._configs(live_args("--compare", "none"))
    args = live_args("--compare", "none")
    assert app.remembered_compare(args, asked).compare is None
    args = live_args("--compare", "evfocus")
    _, _, asked, _ = app._configs(args)
    assert app.remembered_compare(args, asked).compare == "evfocus"
    cfg = tmp_path / "lab.toml"
    cfg.write_text('version = 1\n[model]\ncompare = "none"\n')
    args = live_args("--config", str(cfg))
    args._argv = ["--config", str(cfg)]
    _, _, from_file, _ = app._configs(args)
    assert app.remembered_compare(args, from_file).compare is None
    cfg.write_text('version = 1\n[model]\ndevice = "cpu"\n')  # (no compare key: the remembered one)
    args = live_args("--config", str(cfg))
    args._argv = ["--config", str(cfg)]
    _, _, from_file, _ = app._configs(args)
    assert app.remembered_compare(args, from_file).compare == "e2vid"


@pytest.mark.gui
def test_a_remembered_checkpoint_since_deleted_is_a_status_line(qtbot, tmp_path, tiny_model):
    settings.save_compare(str(tmp_path / "gone.pt"))
    model = app.remembered_compare(live_args(), ModelConfig(name="evfocus", device="cpu"))
    assert model.compare == str(tmp_path / "gone.pt")  # (not refused as --compare gone.pt is)
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, model=model)
    wait_frames(qtbot, win, 2)
    said = [m for m in win.status_log if "gone.pt" in m]
    assert said and said[0].endswith("- comparing with none"), win.status_log
    assert win.failure is None and win.session.pipeline.compare is None
    assert win.compare_combo.currentText() == "none"
    win.close()
