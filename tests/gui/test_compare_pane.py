"""Compare mode (``evfocus-live --compare e2vid``, the Model group's "vs" box): a pane
beside the reconstruction shows a second model's frames of the same windows; with none (the
default) the window is laid out as before, the pane hidden and its column given no room."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import TIMEOUT_MS, make_window, pattern, wait_frames

from evfocus_live.config import ModelConfig


def running(qtbot, tmp_path, tiny_model):
    """A viewer on the pattern camera with no compare model, its first frame shown."""
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 1)
    return win


def wait_compare(qtbot, win):
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.compare is not None, timeout=TIMEOUT_MS)
    wait_frames(qtbot, win, 2)  # (painted: the panes show a frame made by both models)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_compare_pane_shows_the_second_models_frames(qtbot, tmp_path, tiny_model):
    model = ModelConfig(name="evfocus", device="cpu", compare="e2vid")
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, model=model)
    assert win.compare_pane.isVisible() and win.compare_combo.currentText() == "e2vid"
    assert win._panes_grid.columnStretch(2) == 1
    wait_compare(qtbot, win)
    main, other = win.frame_pane.image_item.image, win.compare_pane.image_item.image
    assert other.shape == main.shape == (72, 96)
    assert np.abs(other.astype(int) - main).mean() > 5  # (two models: two different frames)
    assert win.compare_pane.title.text == "compare: e2vid"
    from evfocus_live.gui.window import about_text
    about = about_text(win.session)
    assert about.startswith("evfocus-live") and "model:     evfocus (" in about and "), compared with e2vid\n" in about
    # the s key: the compare frame is saved beside the main one
    path = win.snapshot()
    assert path is not None
    saved = path.with_name(path.stem + "_compare.png")
    assert saved.is_file() and f"{saved.name} (the compare model's)" in win.status_log[-1]
    # "none" in the box: the pane goes, the next source starts without it
    win.set_compare("none")
    assert not win.compare_pane.isVisible() and win._panes_grid.columnStretch(2) == 0
    assert win.session.pipeline.compare is None and win.opts.model.compare is None
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_compare_none_keeps_todays_layout(qtbot, tmp_path, tiny_model):
    win = running(qtbot, tmp_path, tiny_model)
    assert win.compare_combo.currentText() == "none"
    assert not win.compare_pane.isVisible() and win._panes_grid.columnStretch(2) == 0
    assert win.last_frame.compare is None
    # the two panes of the top row share the width as before: no room kept for a hidden third
    ev, fr = win.event_pane.geometry(), win.frame_pane.geometry()
    assert abs(ev.width() - fr.width()) <= 2 and fr.right() >= win.panes_box.width() - 2
    path = win.snapshot()
    assert path is not None and not path.with_name(path.stem + "_compare.png").exists()
    # picked in the box: the pane comes, with the second model's frames
    win.set_compare("e2vid")
    assert win.compare_pane.isVisible() and win.session.pipeline.compare.name == "e2vid"
    wait_compare(qtbot, win)
    assert win.compare_pane.image_item.image.shape == (72, 96)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_compare_model_that_cannot_load_is_said_and_left_out(qtbot, tmp_path, tiny_model):
    win = running(qtbot, tmp_path, tiny_model)
    win.set_compare("nosuch")
    assert any("compare model: unknown model 'nosuch'" in m and "keeping the current comparison" in m
               for m in win.status_log), win.status_log[-3:]
    assert not win.compare_pane.isVisible() and win.compare_combo.currentText() == "none"
    assert win.session.pipeline.compare is None
    win.close()
