"""A paused replay that makes its one frame (a seek, a setting remade) is paused all along:
its Play button says so, and a click on it plays."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import make_events
from gui_support import wait_frames, wait_idle

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.gui.session import DirectIntegration


class GatedModel(DirectIntegration):
    """Direct integration whose windows wait for ``gate``: the test decides when a frame comes."""

    def __init__(self):
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()

    def forward(self, voxel):
        self.gate.wait()
        return super().forward(voxel)


def _paused_replay(qtbot, tmp_path, model):
    """A looping replay on ``model``, paused with nothing left to show."""
    import numpy as np

    from evfocus_live.gui.window import MainWindow, ViewerOptions

    path = tmp_path / "events.npy"
    np.save(path, make_events(n=200_000, width=96, height=72, duration_us=2_000_000, seed=5))
    win = MainWindow(ViewerOptions(source=str(path), model_obj=model, post=PostConfig(steps=()),
                                   window=WindowConfig(mode="duration", window_ms=50.0), speed=1.0, loop=True,
                                   record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap"))
    qtbot.addWidget(win)
    win.show()
    wait_frames(qtbot, win, 2)
    win.play_button.click()
    qtbot.waitUntil(lambda: win.session.paused, timeout=5000)
    wait_idle(qtbot, win.session)
    return win


@pytest.mark.gui
def test_paused_seek_keeps_play_and_a_click_plays(qtbot, tmp_path):
    """The soak's controls check: after a seek (or any setting remade) on a paused replay the
    button read "Pause" until the frame came (a slow model's inference: seconds), and a click
    on it then paused the replay again instead of playing it."""
    model = GatedModel()
    win = _paused_replay(qtbot, tmp_path, model)
    s = win.session
    try:
        model.gate.clear()  # the seek's frame cannot come until the gate opens
        win.seek_relative(-200_000)
        assert not s.paused  # (the pipeline runs for the one frame)
        win._update_readouts(time.monotonic())
        assert win.play_button.text() == "Play"
        win.play_button.click()  # plays on from the seek
        assert not s.paused
        assert win.play_button.text() == "Pause"
        model.gate.set()
        wait_frames(qtbot, win, 2)  # and goes on playing past the seek's frame
        assert not s.paused
    finally:
        model.gate.set()
        win.close()


@pytest.mark.gui
def test_the_one_frame_pauses_before_it_stops_pausing(qtbot, tmp_path):
    """The worker cleared "pausing" before it paused the pipeline: a readout tick between the
    two saw neither, and the button read "Pause" for a tick."""
    model = GatedModel()
    win = _paused_replay(qtbot, tmp_path, model)
    s = win.session
    seen: list[bool] = []
    pause = s.pipeline.pause
    try:
        model.gate.clear()
        win.seek_relative(-200_000)

        def watched_pause():
            seen.append(s.pausing)  # what the GUI thread could read just before the pause
            pause()
        s.pipeline.pause = watched_pause
        model.gate.set()
        qtbot.waitUntil(lambda: bool(seen) and s.paused and not s.pausing, timeout=10_000)
        assert seen[0] is True
    finally:
        s.pipeline.pause = pause
        model.gate.set()
        win.close()
