"""Two snapshots of one frame within a second (paused, with another event view or the defocus
map switched off in between: the whole-window PNG differs) wrote the same two names, the second
pair over the first without a word. Now the second gets ``_1``, as a second recording does."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import DAVIS_FILE
from gui_support import TIMEOUT_MS, make_window

from evfocus_live.config import WindowConfig

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


def test_two_snapshots_of_a_paused_frame_are_both_kept(qtbot, tmp_path, tiny_model, monkeypatch):
    import cv2

    from evfocus_live.gui import window as window_mod

    monkeypatch.setattr(window_mod.time, "strftime", lambda fmt, *a: "20261128_120000")  # (one second)
    win = make_window(qtbot, tmp_path, str(DAVIS_FILE), tiny_model, remember_geometry=False, speed=0.5,
                      window=WindowConfig(mode="duration", window_ms=5.0))
    s = win.session
    qtbot.waitUntil(lambda: win.last_frame is not None, timeout=TIMEOUT_MS)
    win.toggle_pause()
    qtbot.waitUntil(lambda: s.paused, timeout=TIMEOUT_MS)
    # (a frame made just before the pause may still be in the mailbox: under load the paint
    # timer showed it after the first snapshot, so the second named another frame)
    qtbot.waitUntil(lambda: s.slot._item is None, timeout=TIMEOUT_MS)
    qtbot.wait(100)
    qtbot.waitUntil(lambda: s.slot._item is None, timeout=TIMEOUT_MS)
    first = win.snapshot()
    win.defocus_check.setChecked(not win.defocus_check.isChecked())  # (the window looks different now)
    qtbot.wait(200)
    second = win.snapshot()
    assert first is not None and second is not None and first != second
    assert second.name == first.name.replace(".png", "_1.png")
    snaps = sorted(p.name for p in (tmp_path / "snap").iterdir())
    assert len(snaps) == 4, snaps
    assert all(cv2.imread(str(tmp_path / "snap" / n)) is not None for n in snaps)
    assert np.array_equal(cv2.imread(str(first), cv2.IMREAD_GRAYSCALE), cv2.imread(str(second), cv2.IMREAD_GRAYSCALE))
    win.close()
