"""Session 20, lead: fixes found while merging the session's branches."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore
from gui_support import pattern, wait_frames

from evfocus_live.gui import app
from evfocus_live.gui.window import MainWindow, ViewerOptions


@pytest.mark.gui
def test_a_stop_signal_during_the_paint_tick_closes_the_window_after_it(qtbot, tiny_model):
    """Ctrl-C's handler ran win.close() between two bytecodes of the paint tick: the session
    was gone before _paint used it (an AttributeError, seen once under load in CI-like runs)."""
    win = MainWindow(ViewerOptions(source=pattern(), model_obj=tiny_model))
    qtbot.addWidget(win)
    win.show()
    wait_frames(qtbot, win, 2)
    handler = app.close_later(win)
    s = win.session
    real_check = s.check
    fired = []

    def check_then_signal():  # the signal lands in the middle of _tick, before its paint
        if not fired:
            fired.append(True)
            handler(2, None)
        return real_check()

    s.check = check_then_signal
    errors = []
    real_tick = win._tick

    def tick():
        try:
            real_tick()
        except Exception as exc:  # (a slot's exception would only be printed by Qt)
            errors.append(exc)

    win._paint_timer.timeout.disconnect()
    win._paint_timer.timeout.connect(tick)
    qtbot.waitUntil(lambda: bool(fired), timeout=30_000)
    qtbot.waitUntil(lambda: win.session is None and not win.isVisible(), timeout=30_000)
    assert errors == []


def test_a_smaller_frame_mid_recording_keeps_its_aspect_ratio_in_the_video(tmp_path):
    """An ROI, downsample or source change mid-recording resized later frames to the video's
    first size: a square ROI in a 4:3 video came out stretched. Now it is letterboxed."""
    import cv2
    import numpy as np

    from evfocus_live.gui.recording import VideoSink

    sink = VideoSink(tmp_path / "v.mp4", fps=10)
    sink.write(np.full((48, 64), 200, np.uint8), t_us=0)
    square = np.full((32, 32), 255, np.uint8)
    for k in range(1, 4):
        sink.write(square, t_us=k * 100_000)
    sink.close()
    cap = cv2.VideoCapture(str(tmp_path / "v.mp4"))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f[:, :, 0])
    assert len(frames) >= 3 and frames[-1].shape == (48, 64)
    last = frames[-1].astype(int)
    # the square fills the height, 48x48 in the middle, black bars left and right
    assert last[:, 24:40].mean() > 230
    assert last[:, :4].mean() < 25 and last[:, -4:].mean() < 25


@pytest.mark.parametrize("at, expect", [("", "--at needs a file of frame times or 'aps'"),
                                        ("APS", "has no APS (grey-level) frames")])
def test_reconstruct_at_empty_is_refused_and_at_aps_ignores_case(tmp_path, capsys, at, expect):
    """``--at ''`` made the default windows in silence; ``--at APS`` looked for a file named APS."""
    from conftest import make_events

    from evfocus_live.cli import main

    ev = tmp_path / "ev.npy"
    np.save(ev, make_events(2000, 64, 48, duration_us=200_000))
    assert main(["reconstruct", str(ev), "-o", str(tmp_path / "out"), "--at", at, "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expect in err[0], err


def test_aps_frames_of_another_size_than_the_events_are_said_once(caplog, tiny_model):
    """A DAVIS recorded with DV's APS region of interest has smaller APS frames than its event
    sensor; the APS PNGs and pane did not line up with the frames, in silence."""
    import logging

    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.pipeline import Pipeline

    src = pattern(64, 48)
    small = np.full((12, 16), 128, np.uint8)
    src.aps_frames = lambda limit=None: [(0, small)]
    pipe = Pipeline(src, WindowConfig(mode="events", window_events=500), model_obj=tiny_model,
                    post=PostConfig(steps=()))
    with caplog.at_level(logging.WARNING):
        frames = [fr for _, fr in zip(range(3), pipe.frames())]
    said = [r.getMessage() for r in caplog.records if "APS frames are 16x12" in r.getMessage()]
    assert frames[-1].aps is small and len(said) == 1 and "64x48" in said[0]
