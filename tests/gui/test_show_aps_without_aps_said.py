"""The APS frame asked for from a source without APS frames is said on the status bar."""

from __future__ import annotations

import pytest
from aps_support import aps_window
from conftest import REAL_FILES
from gui_support import TIMEOUT_MS, pattern

NO_APS = "no APS frames in this"


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("source", ["evt2", "pattern"])
def test_show_aps_on_a_source_without_frames_is_said(qtbot, tmp_path, tiny_model, source):
    """--show-aps on the Prophesee spinner file: the toggle greyed out, still ticked, the pane
    showed the defocus map and the status bar only "playing <file>"."""
    src = pattern() if source == "pattern" else str(REAL_FILES["evt2"]["path"])
    win = aps_window(qtbot, tmp_path, src, tiny_model, show_aps=True)
    qtbot.waitUntil(lambda: not win.session.aps_loading, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: any(NO_APS in m for m in win.status_log), timeout=TIMEOUT_MS)
    assert not win.aps_shown
    assert sum(NO_APS in m for m in win.status_log) == 1  # (once, not at each tick)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_show_aps_on_a_davis_file_says_nothing_of_the_kind(qtbot, tmp_path, tiny_model):
    win = aps_window(qtbot, tmp_path, str(REAL_FILES["davis346"]["path"]), tiny_model, show_aps=True)
    qtbot.waitUntil(lambda: not win.session.aps_loading and win.aps_shown, timeout=TIMEOUT_MS)
    qtbot.wait(200)
    assert not any(NO_APS in m for m in win.status_log)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_without_show_aps_nothing_is_said(qtbot, tmp_path, tiny_model):
    win = aps_window(qtbot, tmp_path, str(REAL_FILES["evt2"]["path"]), tiny_model)
    qtbot.waitUntil(lambda: not win.session.aps_loading, timeout=TIMEOUT_MS)
    qtbot.wait(200)
    assert not any(NO_APS in m for m in win.status_log)
    win.close()
