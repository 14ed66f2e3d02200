"""File > Save settings, then File > Load settings of that file, gives back the palette the
viewer showed, for every palette. A file saved in ``dark`` held no ``[display]`` (for older
versions), and since a file without it leaves the palette alone, such a file loaded into a viewer
showing ``gray`` stayed gray: the viewer's own file did not round-trip. Save now always writes
the palette; a hand-written file without ``[display]`` still leaves it as it is."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern

from evfocus_live.core.render import PALETTE_CHOICES


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_save_then_load_gives_back_every_palette(qtbot, tmp_path, tiny_model):
    saver = make_window(qtbot, tmp_path, pattern(), tiny_model)
    loader = make_window(qtbot, tmp_path, pattern(), tiny_model)
    for i, palette in enumerate(PALETTE_CHOICES):
        saver.set_palette(palette)
        shown = saver.palette_combo.currentData()
        path = saver.save_settings_to(tmp_path / f"{palette}.toml")
        others = [p for p in PALETTE_CHOICES if saver.palette_combo.findData(p) >= 0 and p != shown]
        loader.set_palette(others[i % len(others)])
        assert loader.palette_combo.currentData() != shown
        assert loader.load_settings_from(path)
        assert loader.palette_combo.currentData() == shown, (palette, loader.palette_combo.currentData())
        assert loader.session.palette == saver.session.palette and loader.opts.display == saver.opts.display
        assert "[display]" in path.read_text(), palette  # (each file says its palette)
    hand = tmp_path / "hand.toml"  # (written by hand, no [display]: the palette shown stays)
    hand.write_text('version = 1\n[window]\nmode = "duration"\nwindow_ms = 20.0\n')
    loader.set_palette("gray")
    assert loader.load_settings_from(hand)
    assert loader.palette_combo.currentData() == "gray" and loader.session.palette == "gray"
    saver.close()
    loader.close()
