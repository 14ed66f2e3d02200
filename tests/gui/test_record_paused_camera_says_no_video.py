"""Record on a paused live camera: its events are still read and saved, but no frame is made, so
the .mp4 that "recording to x.aedat4, x.mp4" promised is never written. The status bar said only
"recording saved (N events): x.aedat4", the video gone without a word."""

from __future__ import annotations

import pytest
from gui_support import TIMEOUT_MS, make_window, pattern, wait_frames


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_paused_cameras_recording_says_its_video_was_not_made(qtbot, tmp_path, tiny_model):
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 2)
    win.toggle_pause()
    qtbot.wait(300)
    win.record_button.click()
    rec = win.session.recorder
    assert rec.active and rec.video_path is not None
    mp4 = rec.video_path
    qtbot.waitUntil(lambda: rec.n_events > 0 or rec._pending_n > 0, timeout=TIMEOUT_MS)
    win.record_button.click()
    said = win.status_log[-1]
    assert said.startswith("recording saved (") and str(rec.events_path) in said
    assert f"{mp4.name} not written" in said and not mp4.exists()
    win.close()


def test_the_recorder_names_the_video_it_did_not_make(tmp_path):
    from conftest import make_events

    from evfocus_live.gui.recording import Recorder

    rec = Recorder()
    rec.start(events_path=tmp_path / "a.aedat4", video_path=tmp_path / "a.mp4", width=346, height=260)
    rec.write_events(make_events(100))
    assert rec.stop() == [tmp_path / "a.aedat4"] and rec.video_unmade == tmp_path / "a.mp4"
    rec.start(events_path=tmp_path / "b.aedat4", width=346, height=260)  # (no video asked for)
    rec.write_events(make_events(100))
    assert rec.stop() == [tmp_path / "b.aedat4"] and rec.video_unmade is None
