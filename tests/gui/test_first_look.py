"""What a first-time user sees in the viewer's first minutes (session 22): readouts cut short,
a button's arrow over its text, a source label that says "sim" twice, the meter's scale cut."""

from __future__ import annotations

import pytest

from evfocus_live.config import PostConfig, WindowConfig

TIMEOUT_MS = 30_000


def window_on(qtbot, tmp_path, source, model, size=(1400, 860), **kw):
    from evfocus_live.gui.window import MainWindow, ViewerOptions

    opts = ViewerOptions(source=source, model_obj=model, post=PostConfig(steps=()),
                         window=kw.pop("window", WindowConfig(mode="events", window_events=1500)),
                         record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap", remember_geometry=False, **kw)
    win = MainWindow(opts)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    return win


def pattern():
    from evfocus_plugin_pattern import PatternSource

    return PatternSource(width=96, height=72)


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_inference_readout_shows_whole_at_the_default_size(qtbot, tmp_path, tiny_model):
    """At the default window size "58.1 ms (cpu eager/bf16 1t" lost its ")": the value column
    was 180 px, the meter's plot beside it taking the rest. Narrower, the tooltip has it all."""
    win = window_on(qtbot, tmp_path, pattern(), tiny_model)
    lab = win.readouts.values["infer"]
    qtbot.waitUntil(lambda: " ms (" in lab.text(), timeout=TIMEOUT_MS)
    win.readouts.set("infer", "123.4 ms (cpu eager/bf16 1t)")  # (the light model on a CPU)
    qtbot.wait(50)
    assert lab.fontMetrics().horizontalAdvance(lab.text()) <= lab.contentsRect().width()
    assert lab.toolTip() == lab.text()
    win.close()


@pytest.mark.gui
def test_the_image_panes_keep_equal_columns_in_a_small_window(qtbot, tmp_path, tiny_model):
    """The readouts' room must not squeeze the event pane beside them (their values are cut
    instead, whole in their tooltips): at 1000x720 the event pane was 200 px wide, the frame
    pane 487; the meter's label of a model without a defocus map widened that column too."""
    win = window_on(qtbot, tmp_path, pattern(), tiny_model, size=(1000, 720))
    qtbot.wait(100)
    ev, fr = win.event_pane.width(), win.frame_pane.width()
    assert abs(ev - fr) <= 0.05 * max(ev, fr), (ev, fr)
    win.session.pause()  # (no frame of its own to say otherwise)
    win.defocus_indicator.push(None)  # a model with no defocus map: "defocus: n/a (model has ...)"
    qtbot.wait(100)
    assert (win.event_pane.width(), win.frame_pane.width()) == (ev, fr)
    label = win.defocus_indicator.label  # (whole in the tooltip; the label a shorter form where narrow)
    assert label.toolTip().startswith("defocus: ") and label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    win.close()


@pytest.mark.gui
def test_the_recent_button_has_room_for_its_text_and_arrow(qtbot, tmp_path, tiny_model):
    """A tool button drew its menu arrow over "Recent" (and stood smaller than "Open file ...")."""
    from PySide6 import QtWidgets

    win = window_on(qtbot, tmp_path, pattern(), tiny_model)
    b = win.recent_button
    style = b.style()
    arrow = style.pixelMetric(QtWidgets.QStyle.PixelMetric.PM_MenuButtonIndicator, None, b)
    margin = style.pixelMetric(QtWidgets.QStyle.PixelMetric.PM_ButtonMargin, None, b)
    need = b.fontMetrics().horizontalAdvance(b.text()) + arrow + 2 * margin
    assert b.width() >= need, (b.width(), need)
    assert b.menu() is win.recent_menu
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_simulated_cameras_label_names_it_once(qtbot, tmp_path, tiny_model):
    """It read "sim: sim, simulated, 346x260 (live)"."""
    win = window_on(qtbot, tmp_path, "sim", tiny_model)
    assert win.source_label.text() == "sim: simulated, 346x260 (live)"
    win.close()


@pytest.mark.gui
def test_the_meters_scale_shows_its_top_and_bottom_whole(qtbot):
    """The plot's range was exactly 0..max: half of the top "10" and of the "0" were cut off."""
    from evfocus_live.gui.widgets import DefocusIndicator

    ind = DefocusIndicator()
    qtbot.addWidget(ind)
    for top in (ind.max_px, 4.5):
        ind.set_range(top)
        lo, hi = ind.plot.getViewBox().viewRange()[1]
        assert lo < 0 and hi > top



@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_camera_box_says_a_file_plays_rather_than_standing_empty(qtbot, tmp_path, tiny_model):
    from conftest import REAL_FILES

    win = window_on(qtbot, tmp_path, str(REAL_FILES["davis346"]["path"]), tiny_model)
    combo = win.source_combo
    assert combo.currentIndex() == -1 and combo.placeholderText() == "- (a file plays)"
    assert win.open_source("sim") and combo.currentText() == "sim"
    win.close()


@pytest.mark.gui
def test_the_help_says_a_drag_on_the_events_sets_the_roi(qtbot, tmp_path, tiny_model):
    """The keyboard help (h) listed keys only: the drag that sets the ROI was in a tooltip."""
    win = window_on(qtbot, tmp_path, pattern(), tiny_model)
    text = win.help_overlay.text()
    assert "Keyboard" in text and "Mouse" in text and "drag on the events" in text and "ROI" in text
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_snapshot_says_both_files_it_wrote(qtbot, tmp_path, tiny_model):
    """The s key wrote the frame's PNG and the whole window's, and named only the first."""
    win = window_on(qtbot, tmp_path, pattern(), tiny_model)
    qtbot.waitUntil(lambda: win.last_frame is not None, timeout=TIMEOUT_MS)
    path = win.snapshot()
    window_png = path.with_name(path.stem + "_window.png")
    assert path.is_file() and window_png.is_file()
    assert str(path) in win.status_log[-1] and window_png.name in win.status_log[-1]
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_window_title_names_what_plays(qtbot, tmp_path, tiny_model):
    """Every viewer window was titled "evfocus-live", whatever it showed (two side by side, a
    taskbar)."""
    from conftest import REAL_FILES

    path = REAL_FILES["davis346"]["path"]
    win = window_on(qtbot, tmp_path, str(path), tiny_model)
    assert win.windowTitle() == f"{path.name} - evfocus-live"
    assert win.open_source("sim") and win.windowTitle() == "sim - evfocus-live"
    win.close()
