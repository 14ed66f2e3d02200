"""A source that stops before its first frame (a file whose first packet is corrupt): its
empty panes said "waiting for events" / "waiting for the first frame" under a status line
saying it had stopped, as if something were still coming."""

from __future__ import annotations

import pytest
from gui_support import TIMEOUT_MS, CorruptFile, make_window, pattern, wait_frames


class CorruptAtOnce(CorruptFile):
    """A recording whose first packet is already corrupt: no frame is ever made."""
    format = "corrupt-at-once"

    def read(self):
        from evfocus_live.errors import InputError
        raise InputError("corrupt.aedat4: packet 1 is truncated")


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_source_stopped_before_its_first_frame_leaves_no_pane_waiting(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 2)
    assert win.open_source(CorruptAtOnce())
    assert win.frame_pane.placeholder.isVisible()  # (the new source's empty panes say what they wait for)
    qtbot.waitUntil(lambda: win.session is None, timeout=TIMEOUT_MS)  # stopped: "... - stopped; open another ..."
    panes = (win.event_pane, win.frame_pane, win.defocus_pane)
    shown = [p.placeholder.text() for p in panes if p.placeholder.isVisible()]
    assert shown and not any("waiting" in t or "preparing" in t for t in shown), shown
    win.close()
