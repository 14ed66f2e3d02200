"""Session 20 cross-feature review of the viewer: ROI, APS frames, adaptive windows, Open
Recent and source switches used together (offscreen, pytest-qt)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import REAL_FILES, REPO
from aps_support import aps_window, davis_synth, pane_image  # noqa: F401  (a fixture)

DAVIS = REAL_FILES["davis346"]
FRAME_TIMEOUT_MS = 30_000


def set_roi(win, text: str) -> None:
    win.roi_edit.setText(text)
    win._roi_edited()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_aps_pane_follows_a_new_roi_within_one_aps_frame(qtbot, tmp_path, tiny_model, davis_synth):
    """A new ROI crops the APS frame on show anew: the pane must repaint it at the new size
    although its time did not change (it kept the old, uncropped image until the next APS
    frame: 64x48 beside a 32x24 reconstruction, for up to 40 ms of a DAVIS, for good when paused)."""
    win = aps_window(qtbot, tmp_path, str(davis_synth), tiny_model, speed=0.1, show_aps=True, loop=True)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.aps is not None, timeout=FRAME_TIMEOUT_MS)
    win.toggle_pause()
    qtbot.waitUntil(lambda: win.session.paused, timeout=5000)
    fv = win.last_frame
    assert pane_image(win.defocus_pane).shape == (48, 64)
    set_roi(win, "16,8,32,24")
    t_aps, cropped = win.session.pipeline.aps_view_at(fv.t_us)
    assert t_aps == fv.aps_t_us and cropped.shape == (24, 32)
    # the next frame from the worker: the same APS frame, cropped to the new ROI
    win._paint(dataclasses.replace(fv, index=fv.index + 1, image=np.zeros((24, 32), np.uint8),
                                   event_image=None, aps=cropped, aps_t_us=t_aps), 0.0)
    assert np.array_equal(pane_image(win.defocus_pane), cropped)
    assert pane_image(win.defocus_pane).shape == pane_image(win.frame_pane).shape == (24, 32)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_new_roi_while_paused_shows_one_frame_of_it(qtbot, tmp_path, tiny_model):
    """Paused, an ROI typed (or dragged) showed nothing new: the panes kept the whole sensor's
    frame while the source label said "346x260 → 100x80" and the decay view's outline moved.
    Now, as after a seek, one frame of the new ROI is made and the replay stays paused, its
    panes at one size (the APS frame cropped as the reconstruction)."""
    win = aps_window(qtbot, tmp_path, str(DAVIS["path"]), tiny_model, speed=0.0, show_aps=True,
                     window_events=20_000)
    qtbot.waitUntil(lambda: win.last_frame is not None and win.last_frame.aps is not None, timeout=FRAME_TIMEOUT_MS)
    win.toggle_pause()
    qtbot.waitUntil(lambda: win.session.paused, timeout=5000)
    set_roi(win, "50,50,100,80")
    qtbot.waitUntil(lambda: win.last_frame.image.shape == (80, 100), timeout=FRAME_TIMEOUT_MS)
    qtbot.waitUntil(lambda: win.session.paused and win.play_button.text() == "Play", timeout=5000)
    assert pane_image(win.frame_pane).shape == pane_image(win.event_pane).shape[:2] == (80, 100)
    if win.last_frame.aps is not None:  # (the first APS frame is 40 ms in)
        assert pane_image(win.defocus_pane).shape == (80, 100)
    n = win.frames_painted
    qtbot.wait(500)
    assert win.frames_painted == n and win.session.paused  # one frame, not a resumed replay
    win.close()


def readme_keys() -> list[str]:
    """The first column of README's key table (``| key | action |``)."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| key | action |") + 2
    keys = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        keys.append(line.split("|")[1].strip())
    return keys


def test_the_help_overlay_lists_the_keys_of_readmes_table():
    """The h overlay and README's key table name the same keys, in the same order (the
    overlay lacked Esc, which leaves fullscreen)."""
    from evfocus_live.gui.widgets import KEY_HELP

    assert [k for k, _ in KEY_HELP] == readme_keys()
    assert "Esc" in readme_keys()
