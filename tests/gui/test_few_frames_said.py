"""A recording whose pass fills fewer than three windows is said on the viewer's status bar."""

from __future__ import annotations

import pytest
from conftest import REAL_FILES
from gui_support import TIMEOUT_MS, make_window

from evfocus_live.config import WindowConfig


def _few(win) -> list[str]:
    return [m for m in win.status_log if m.startswith("only ")]


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("loop", [True, False])
def test_the_evk3_file_in_one_default_window_is_said(qtbot, tmp_path, tiny_model, loop):
    """The 8.8 ms EVK3 file holds 219,596 events, less than one default window (0.35 per pixel:
    322,560): one frame a pass, "frame #0", display fps 0.0, and no word why."""
    win = make_window(qtbot, tmp_path, str(REAL_FILES["evt3"]["path"]), tiny_model, speed=0.0, loop=loop,
                      window=WindowConfig(mode="events"))
    qtbot.waitUntil(lambda: bool(_few(win)), timeout=TIMEOUT_MS)
    (line,) = _few(win)
    assert "219,596 events" in line and "322,560 events" in line, line
    assert "fixed events " in line and "--window" not in line, line  # the viewer's controls, not options
    if loop:
        qtbot.waitUntil(lambda: win.session.pipeline.stats.loops >= 3, timeout=TIMEOUT_MS)
        win._tick()
        assert len(_few(win)) == 1  # once, not at each pass
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_recording_of_many_windows_says_nothing(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, str(REAL_FILES["davis346"]["path"]), tiny_model, speed=0.0, loop=True,
                      window_events=20_000)
    qtbot.waitUntil(lambda: win.session.pipeline.stats.loops >= 1, timeout=TIMEOUT_MS)
    win._tick()
    assert win._few_frames_said and not _few(win)
    win.close()
