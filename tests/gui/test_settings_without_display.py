"""A settings file without ``[display]`` (a hand-written ``[window]``-only file, or one a viewer
saved in ``dark`` before Save always wrote the palette) leaves the viewer's palette as it is, as
any key a file leaves out does. It set ``dark``: loading a lab's window settings into a viewer
showing ``gray`` turned its events dark."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern

from evfocus_live.config import DisplayConfig


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_file_without_display_keeps_the_palette(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    path = win.save_settings_to(tmp_path / "lab.toml")
    text = path.read_text()
    win.close()
    path.write_text(text[:text.index("\n[display]")] + "\n")  # (as saved in dark before: no [display])
    other = make_window(qtbot, tmp_path, pattern(), tiny_model, display=DisplayConfig(palette="gray"))
    assert other.palette_combo.currentData() == "gray"
    assert other.load_settings_from(path)
    assert other.palette_combo.currentData() == "gray" and other.session.palette == "gray"
    assert other.opts.display.palette == "gray"
    hand = tmp_path / "window_only.toml"
    hand.write_text('version = 1\n[window]\nmode = "duration"\nwindow_ms = 20.0\n')
    assert other.load_settings_from(hand)
    assert other.opts.window.window_ms == 20.0 and other.session.palette == "gray"
    said_dark = tmp_path / "dark.toml"
    said_dark.write_text('version = 1\n[display]\npalette = "dark"\n')
    assert other.load_settings_from(said_dark)
    assert other.palette_combo.currentData() == "dark" and other.session.palette == "dark"
    other.close()
