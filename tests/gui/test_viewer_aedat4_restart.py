"""The viewer's status bar on an AEDAT4 recording whose camera clock restarted says it as on a RAW
file with a reset clock: the reader's line, with the byte, once (before: the slicer's guess only,
"a clock restart?", and no word of where)."""

from __future__ import annotations

import pytest
from gui_support import make_window
from reader_support import aedat4_reset_file

from evfocus_live.config import WindowConfig

TIMEOUT_MS = 30_000


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_an_aedat4_clock_restart_reaches_the_status_bar_as_a_raw_reset(qtbot, tmp_path, tiny_model):
    path, _, _ = aedat4_reset_file(tmp_path)
    win = make_window(qtbot, tmp_path, str(path), tiny_model, window=WindowConfig(mode="duration", window_ms=20.0),
                      loop=True)

    def said():
        return [m for m in win.status_log if "clock goes back" in m or "clock restart" in m]

    qtbot.waitUntil(lambda: win.session is not None and win.session.pipeline.stats.loops >= 2, timeout=TIMEOUT_MS)
    assert len(said()) == 1 and "the sensor clock goes back by 5.180 s at byte" in said()[0], win.status_log
    win.close()
