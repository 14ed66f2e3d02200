"""Session 21 (loop): a paused replay's remade last window of a looped file, the end said once
after a remake, and the stamp of a recording's last, partial window."""

from __future__ import annotations

import pytest
from conftest import REAL_FILES
from gui_support import FRAME_TIMEOUT_MS, davis_window, paused_on_a_frame, redone

from evfocus_live.config import WindowConfig


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_remade_last_window_of_a_looped_file_leaves_the_replay_idle_at_its_end(qtbot, tmp_path, tiny_model):
    """Paused on the last window of a looped file, a setting change remade it, then the reader
    went on to the next pass (a seek to the start, a loop counted) while paused. Now it stays at
    the end reading nothing until Play, which starts the next pass."""
    win = davis_window(qtbot, tmp_path, tiny_model, speed=1.0, loop=True,
                       window=WindowConfig(mode="duration", window_ms=33.0))
    paused_on_a_frame(qtbot, win)
    s = win.session
    r = s.time_range_us
    n = win.frames_painted
    s.seek(r[1] - 5_000)  # the last window, as a paused replay shows one frame there
    qtbot.waitUntil(lambda: win.frames_painted > n and s.paused, timeout=FRAME_TIMEOUT_MS)
    qtbot.wait(200)
    fv, n, loops = win.last_frame, win.frames_painted, s.pipeline.stats.loops
    assert fv.t_us == r[1] + 1  # the partial window ends after the last event (it said 158 ms of 130)
    win.post_checks["unsharp"].click()
    fv, n = redone(qtbot, win, fv, n)
    qtbot.wait(300)
    assert s.pipeline.stats.loops == loops and s.t_us == r[1]  # idle at the end, not in the next pass
    assert win.frames_painted == n and s.paused
    win.play_button.click()
    qtbot.waitUntil(lambda: s.pipeline.stats.loops > loops and win.frames_painted > n, timeout=FRAME_TIMEOUT_MS)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_end_of_a_recording_is_said_once_after_a_remade_frame(qtbot, tmp_path, tiny_model):
    """At the end of a replay (no loop) a new setting remade the last frame, and "end of the
    recording" came on the status bar a second time. Now once; playing it again ends it anew."""
    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.25, loop=False,
                       window=WindowConfig(mode="duration", window_ms=10.0))
    s = win.session

    def said():
        return sum(m.startswith("end of the recording") for m in win.status_log)

    qtbot.waitUntil(lambda: s.ended and said() == 1, timeout=FRAME_TIMEOUT_MS)
    n = win.frames_painted
    win.post_checks["unsharp"].click()
    qtbot.waitUntil(lambda: win.frames_painted > n and s.ended, timeout=FRAME_TIMEOUT_MS)
    qtbot.wait(400)  # paint ticks
    assert said() == 1, win.status_log
    win.play_button.click()
    qtbot.waitUntil(lambda: said() == 2, timeout=FRAME_TIMEOUT_MS)
    win.close()


@pytest.mark.parametrize("how", [("--window-ms", "33"), ("--adaptive-ms", "5"), ("--window-ms", "33", "--roi", "0,0,64,64")])
def test_the_last_partial_window_is_not_stamped_past_the_recording(tmp_path, tiny_ckpt, how):
    """`evfocus reconstruct` of the 9 ms EVT3 file with 33 ms windows wrote one frame at 33 ms,
    24 ms past its last event (the partial window kept its full length; adaptive windows too).
    Now it ends 1 us after the last event read, the whole sensor's with an ROI."""
    from evfocus_live.cli import main

    evt3 = REAL_FILES["evt3"]
    out = tmp_path / "out"
    assert main(["reconstruct", str(evt3["path"]), "-o", str(out), "--model", str(tiny_ckpt), "--device", "cpu",
                 *how, "--no-progress"]) == 0
    t_us = [int(line.split()[1]) for line in (out / "timestamps.txt").read_text().splitlines()]
    assert t_us[-1] == evt3["t_last_us"] + 1 and all(a < b for a, b in zip(t_us, t_us[1:]))
