"""An ``evfocus-live --screenshot`` run does not read the "vs" box's remembered compare model: its
picture is the command line's, as its window size is (the default, not the one remembered). A
pick from an earlier run added a third pane, and a second model's time to every window, to a
scripted screenshot that asked for neither."""

from __future__ import annotations

import pytest
from viewer_launch_support import launched_with

from evfocus_live.gui import settings


@pytest.mark.gui
def test_a_screenshot_run_does_not_read_the_remembered_compare(monkeypatch, tmp_path):
    settings.save_compare("e2vid")
    shot = ["--screenshot", str(tmp_path / "shot.png"), "--exit-after-s", "1", "--device", "cpu"]
    assert launched_with(monkeypatch, *shot).model.compare is None
    assert launched_with(monkeypatch, *shot, "--compare", "e2vid").model.compare == "e2vid"  # (asked: it runs)
    assert launched_with(monkeypatch, "--device", "cpu").model.compare == "e2vid"  # (the window without it: read)


@pytest.mark.gui
def test_the_readme_screenshot_script_does_not_read_it_either(monkeypatch, tmp_path):
    """``python -m evfocus_live.gui.screenshot`` (README's picture) with the user's own settings
    folder: the remembered compare model must not put a third pane into docs/screenshot.png."""
    from evfocus_live.gui import screenshot, window

    settings.save_compare("e2vid")  # (EVFOCUS_SETTINGS_DIR is set: the script reads that folder)
    seen = []

    class Built(Exception):
        pass

    def main_window(opts):
        seen.append(opts)
        raise Built

    monkeypatch.setattr(window, "MainWindow", main_window)
    with pytest.raises(Built):
        screenshot.main([str(tmp_path / "shot.png")])
    assert seen[0].model.compare is None
    with pytest.raises(Built):
        screenshot.main([str(tmp_path / "shot.png"), "--compare", "e2vid"])
    assert seen[1].model.compare == "e2vid"
