"""The viewer's looping replay of an AEDAT4 file with a bad packet in the middle stopped at it
("source error", Play, "stopped"): a demo ended for good. It now loops the part before the
damage, and the status bar names it at each pass. A read error the source cannot place (no
``damaged_at_byte``: gui_support.CorruptFile) still stops the replay (test_viewer_faults)."""

from __future__ import annotations

import pytest
from damage_support import damaged_copy
from gui_support import TIMEOUT_MS, make_window


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_damaged_file_loops_its_good_part_with_the_damage_said(qtbot, tmp_path, tiny_model):
    path, off = damaged_copy(tmp_path)
    win = make_window(qtbot, tmp_path, str(path), tiny_model, speed=0.0)  # (the Loop box is on)
    s = win.session
    said = f"damaged.aedat4 damaged at byte {off:,}: replaying the first "
    qtbot.waitUntil(lambda: s.pipeline.stats.loops >= 2 and any(m.startswith(said) for m in win.status_log),
                    timeout=TIMEOUT_MS)
    assert win.session is s and not s.failed and win.failure is None
    assert win.play_button.text() == "Pause"
    win.close()
