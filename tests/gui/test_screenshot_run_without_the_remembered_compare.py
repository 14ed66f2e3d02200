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
