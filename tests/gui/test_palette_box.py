"""The Display group's palette box (``--palette``, ``[display] palette``): it recolours the event
pane in each mode, paused too, without making the side panel taller (the two layout tests), and
a settings file saved with a palette opens with it."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import FRAME_TIMEOUT_MS, make_window, pattern, paused_on_a_frame, wait_frames

from evfocus_live.config import DisplayConfig
from evfocus_live.config_file import load_settings
from evfocus_live.core.render import PALETTES


def colours(win) -> set[tuple[int, ...]]:
    img = win.event_pane.image_item.image
    return {tuple(int(v) for v in c) for c in np.unique(img.reshape(-1, img.shape[-1]), axis=0)}


def shows(win, palette: str, keys=("bg", "on", "off")) -> bool:
    want = {tuple(PALETTES[palette][k]) for k in keys}
    return win.event_pane.image_item.image is not None and want <= colours(win)


def pick(win, palette: str) -> None:
    win.palette_combo.setCurrentIndex(win.palette_combo.findData(palette))


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_palette_box_recolours_each_mode(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 2)
    qtbot.waitUntil(lambda: shows(win, "dark"), timeout=FRAME_TIMEOUT_MS)
    pick(win, "gray")
    assert win.session.palette == "gray" and win.opts.display.palette == "gray"
    qtbot.waitUntil(lambda: shows(win, "gray"), timeout=FRAME_TIMEOUT_MS)
    assert "white" in win.event_pane.toolTip() and "blue" not in win.event_pane.toolTip()
    mode = win.event_mode_combo
    mode.setCurrentIndex(mode.findData("time_surface"))
    pick(win, "coolwarm")
    qtbot.waitUntil(lambda: shows(win, "coolwarm"), timeout=FRAME_TIMEOUT_MS)
    mode.setCurrentIndex(mode.findData("decay"))
    pick(win, "white")  # (its decay ramp: white background, blue ON, red OFF)
    qtbot.waitUntil(lambda: tuple(PALETTES["white"]["bg"]) in colours(win)
                    and any(c[2] > c[0] for c in colours(win)) and any(c[0] > c[2] for c in colours(win)),
                    timeout=FRAME_TIMEOUT_MS)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_paused_window_is_shown_in_the_new_palette(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    _, painted = paused_on_a_frame(qtbot, win)
    assert shows(win, "dark")
    pick(win, "gray")  # (painted at once from the frame on show: a paused pane gets no new frame)
    assert shows(win, "gray") and not shows(win, "dark"), colours(win)
    assert win.frames_painted == painted
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_palette_goes_through_a_settings_file(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model, display=DisplayConfig(palette="coolwarm"))
    assert win.palette_combo.currentData() == "coolwarm" and win.session.palette == "coolwarm"
    path = win.save_settings_to(tmp_path / "lab.toml")
    assert load_settings(path).display.palette == "coolwarm"
    win.close()
    other = make_window(qtbot, tmp_path, pattern(), tiny_model)
    assert other.palette_combo.currentData() == "dark"
    assert other.load_settings_from(path)
    assert other.palette_combo.currentData() == "coolwarm" and other.session.palette == "coolwarm"
    assert other.session.pipeline.event_palette == "coolwarm"
    other.close()
