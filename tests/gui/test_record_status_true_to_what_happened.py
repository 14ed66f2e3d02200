"""What the Record button says when a recording saved nothing, and Record on a replay that has
ended. "no event arrived while it ran (paused?)" was said of a replay that played on (Record
pressed, then the window closed at once); and Record on a non-looping replay played to its end,
then a close, saved a one-frame video of the last window."""

from __future__ import annotations

import pytest
from gui_support import FRAME_TIMEOUT_MS, davis_window, paused_on_a_frame, wait_frames

from evfocus_live.config import WindowConfig


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_recording_stopped_before_its_first_event_does_not_say_paused(qtbot, tmp_path, tiny_model):
    win = davis_window(qtbot, tmp_path, tiny_model, speed=1.0, loop=True)
    wait_frames(qtbot, win, 1)
    rec = win.session.recorder
    rec.write_events = lambda events: None  # (no batch reaches it before the stop: the state, not a race)
    rec.write_frame = lambda *a, **k: None  # (nor a frame: under load one came before the close, and was saved)
    win.record_button.click()
    assert rec.active and not win.session.paused
    win.close()
    said = [m for m in win.status_log if m.startswith("recording stopped")]
    assert said == ["recording stopped: it was stopped before the first event arrived - nothing saved"], said
    assert not list((tmp_path / "rec").glob("*"))


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_paused_replays_empty_recording_says_paused(qtbot, tmp_path, tiny_model):
    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.5, loop=True)
    paused_on_a_frame(qtbot, win)
    win.record_button.click()
    win.record_button.click()
    assert win.status_log[-1] == "recording stopped: the replay was paused while it ran - nothing saved"
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_record_on_an_ended_replay_says_there_is_nothing_more_to_record(qtbot, tmp_path, tiny_model):
    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.0, loop=False,
                       window=WindowConfig(mode="duration", window_ms=10.0))
    s = win.session
    qtbot.waitUntil(lambda: s.ended, timeout=FRAME_TIMEOUT_MS)
    win.record_button.click()
    assert not win.record_button.isChecked() and not s.recorder.active
    assert win.status_log[-1].startswith("Record: the replay has ended - nothing more to record")
    win.close()
    assert not list((tmp_path / "rec").glob("*")) and win.failure is None
