"""Seeking in the viewer: arrow keys, frames made before a seek, a newer seek waited for."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events
from gui_support import LongFile, make_window

from evfocus_live.config import PostConfig, WindowConfig


pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]


TIMEOUT_MS = 30_000


def test_two_quick_arrow_presses_seek_two_seconds(qtbot, tmp_path, tiny_model):
    """Each press seeked from the frame on show: the second, before a frame from the first
    seek was shown, went to the same place (+1 s instead of +2 s)."""
    from PySide6 import QtCore
    win = make_window(qtbot, tmp_path, LongFile(), tiny_model, speed=1.0, window_events=2000)
    s = win.session
    qtbot.waitUntil(lambda: s.range_ready.is_set() and s.last_frame is not None, timeout=TIMEOUT_MS)
    win.toggle_pause()
    qtbot.waitUntil(lambda: s.slot.take() is None and not s.pipeline.ring.fill, timeout=TIMEOUT_MS)
    base = s.last_frame.t_us
    qtbot.keyClick(win, QtCore.Qt.Key.Key_Right)
    qtbot.keyClick(win, QtCore.Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: s.paused and s.last_frame.t_us > base + 500_000, timeout=TIMEOUT_MS)
    qtbot.wait(300)
    assert base + 1_900_000 <= s.last_frame.t_us <= base + 2_300_000, (base, s.last_frame.t_us)
    win.close()


def test_a_frame_made_before_a_seek_is_not_shown_after_it(tiny_model):
    """The worker emits a frame outside the pipeline's lock, so one made just before a seek
    could arrive after it: shown as if from the new position, and a paused seek paused on it
    (the frame from the new position never came)."""
    from evfocus_live.gui.session import LiveSession
    from evfocus_live.pipeline import FrameResult

    sess = LiveSession(LongFile(), WindowConfig(mode="events", window_events=2000), post=PostConfig(steps=()),
                       model_obj=tiny_model)
    try:
        sess.pipeline.stats.frames = 5  # five frames made so far (numbered 0..4)
        sess._pause_at_t_us = 3_000_000  # a seek while paused: show one frame from there
        sess.source.seek(3_000_000)      # what the pipeline's reader does under its lock

        def frame(index, t_us):
            return FrameResult(index=index, t_start_us=t_us - 1000, t_us=t_us, n_events=2000,
                               image=np.zeros((48, 64), np.uint8))
        sess._on_frame(frame(4, 1_100_000))  # made before the seek, emitted after it
        assert sess.slot.take() is None and sess._pause_at_t_us == 3_000_000
        sess._on_frame(frame(5, 3_010_000))
        assert sess.slot.take().t_us == 3_010_000 and sess.paused
    finally:
        sess.stop()


def test_a_seek_done_does_not_clear_the_wait_for_a_newer_one(tiny_model):
    """The reader's seek cleared ``_awaiting_seek`` even when a newer seek was already asked for
    (a slow first seek in a file without an index): frames from the old place were then shown."""
    from pipeline_support import ArraySource

    from evfocus_live.gui.session import LiveSession
    ev = make_events(20_000, 48, 32, duration_us=4_000_000)
    s = LiveSession(ArraySource(ev, 48, 32), WindowConfig(mode="events", window_events=300), post=PostConfig(steps=()),
                    model_obj=tiny_model)
    try:
        s._awaiting_seek = True
        s.pipeline._seek_req = 2_000_000  # the newer seek, not yet taken by the reader
        s.source.seek(1_000_000)  # the older one, done now
        assert s._awaiting_seek
        s.pipeline._seek_req = None
        s.source.seek(2_000_000)
        assert not s._awaiting_seek
    finally:
        s.stop()
