"""A settings file saved with the default palette has no ``[display]`` (older versions refuse the
section), so no ``[display]`` is how a file says ``dark``: loaded into a viewer showing another
palette it sets ``dark`` back, and a saved file round-trips exactly."""

from __future__ import annotations

import pytest
from gui_support import make_window, pattern

from evfocus_live.config import DisplayConfig


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_file_saved_in_dark_sets_dark_back(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    path = win.save_settings_to(tmp_path / "lab.toml")
    assert "[display]" not in path.read_text()
    win.close()
    other = make_window(qtbot, tmp_path, pattern(), tiny_model, display=DisplayConfig(palette="gray"))
    assert other.palette_combo.currentData() == "gray"
    assert other.load_settings_from(path)
    assert other.palette_combo.currentData() == "dark" and other.session.palette == "dark"
    assert other.opts.display.palette == "dark"
    other.close()
