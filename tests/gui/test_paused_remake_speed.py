"""A paused replay's one frame (a setting remade, or a seek) is made at once, not at the replay
speed: at 0.1x a 100 ms window took ~1 s before the new frame showed, at 0.01x ten. The
replay stays where it was: Play goes on with the next window, none read ahead and lost."""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.config import PostConfig, WindowConfig

#: 200 ms windows at 0.01x: the old code paced the remake over 20 s of wall time
WINDOW_MS = 200.0
SLOW = 0.01
#: generous for a loaded 2-core machine (the remake itself takes well under a second), far
#: below the 20 s the old pacing needed
BOUND_MS = 8_000
START_MS = 30_000


def npy_recording(tmp_path, seconds: float = 3.0) -> str:
    path = tmp_path / "events.npy"
    np.save(path, make_events(n=300_000, width=96, height=72, duration_us=int(seconds * 1e6), seed=3))
    return str(path)


def window_on(qtbot, tmp_path, model, loop=True):
    from evfocus_live.gui.window import MainWindow, ViewerOptions

    opts = ViewerOptions(source=npy_recording(tmp_path), model_obj=model, post=PostConfig(steps=()),
                         window=WindowConfig(mode="duration", window_ms=WINDOW_MS), speed=1.0, loop=loop,
                         record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap")
    win = MainWindow(opts)
    qtbot.addWidget(win)
    win.resize(1000, 600)
    win.show()
    return win


def paused_slow(qtbot, win):
    """Play two frames at 1x, pause, wait until nothing more comes, then slow down to 0.01x."""
    n = win.frames_painted
    qtbot.waitUntil(lambda: win.frames_painted >= n + 2, timeout=START_MS)
    win.play_button.click()
    s = win.session
    qtbot.waitUntil(lambda: s.paused, timeout=5000)
    last = -1
    while s.pipeline.stats.frames != last or s.pipeline.ring.fill:  # the windows already taken
        last = s.pipeline.stats.frames
        qtbot.wait(300)
    win.set_speed(SLOW)
    return win.last_frame, win.frames_painted


def one_new_frame(qtbot, win, n):
    t0 = time.monotonic()
    qtbot.waitUntil(lambda: win.frames_painted > n, timeout=BOUND_MS)
    return time.monotonic() - t0


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_setting_changed_while_paused_shows_its_frame_at_once_and_play_goes_on_from_there(
        qtbot, tmp_path, tiny_model):
    win = window_on(qtbot, tmp_path, tiny_model)
    fv, n = paused_slow(qtbot, win)
    s = win.session
    win.post_checks["unsharp"].click()
    one_new_frame(qtbot, win, n)
    new = win.last_frame
    assert (new.t_start_us, new.t_us) == (fv.t_start_us, fv.t_us) and new.index > fv.index
    qtbot.wait(300)
    assert s.paused and win.play_button.text() == "Play" and win.frames_painted == n + 1
    assert s.speed == SLOW  # (the replay speed itself is left as asked)
    # nothing read ahead while paused: Play shows the very next window, not one after it
    win.set_speed(0.5)  # (a window every 0.4 s: the worker keeps up on a loaded machine, none is skipped)
    win.play_button.click()
    qtbot.waitUntil(lambda: win.last_frame.index > new.index, timeout=START_MS)
    nxt = win.last_frame
    assert nxt.t_start_us == new.t_us, (new.t_start_us, new.t_us, nxt.t_start_us, nxt.t_us)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_seek_while_paused_shows_its_frame_at_once(qtbot, tmp_path, tiny_model):
    win = window_on(qtbot, tmp_path, tiny_model)
    fv, n = paused_slow(qtbot, win)
    win.seek_relative(1_000_000)
    one_new_frame(qtbot, win, n)
    assert win.last_frame.t_start_us >= fv.t_us + 900_000
    qtbot.wait(300)
    assert win.session.paused and win.frames_painted == n + 1
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_setting_changed_at_the_end_of_a_replay_shows_its_frame_at_once(qtbot, tmp_path, tiny_model):
    win = window_on(qtbot, tmp_path, tiny_model, loop=False)
    s = win.session
    win.set_speed(0.0)
    qtbot.waitUntil(lambda: s.ended, timeout=START_MS)
    qtbot.wait(300)
    fv, n = win.last_frame, win.frames_painted
    win.set_speed(SLOW)
    win.post_checks["unsharp"].click()
    one_new_frame(qtbot, win, n)
    assert (win.last_frame.t_start_us, win.last_frame.t_us) == (fv.t_start_us, fv.t_us)
    qtbot.waitUntil(lambda: s.ended, timeout=5000)
    assert sum(m.startswith("end of the recording") for m in win.status_log) == 1, win.status_log
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_remake_that_makes_no_frame_reads_unpaced_one_pass_only(qtbot, tmp_path, tiny_model):
    """Paused, an ROI where nothing moves: the remake's window never comes. It is read unpaced
    to the end of the recording, then the loop goes on at the replay speed, not flat out."""
    from evfocus_live.events import EVENT_DTYPE
    from evfocus_live.gui.window import MainWindow, ViewerOptions

    ev = make_events(n=100_000, width=48, height=72, duration_us=3_000_000, seed=4)  # the left half,
    ev[0]["x"], ev[0]["y"] = 95, 71  # and one event in the corner, so that the sensor is 96x72
    path = tmp_path / "left.npy"
    np.save(path, ev.astype(EVENT_DTYPE))
    opts = ViewerOptions(source=str(path), model_obj=tiny_model, post=PostConfig(steps=()),
                         window=WindowConfig(mode="duration", window_ms=100.0), speed=1.0, loop=True,
                         record_dir=tmp_path / "rec", snapshot_dir=tmp_path / "snap", remember_geometry=False)
    win = MainWindow(opts)
    qtbot.addWidget(win)
    win.show()
    s = win.session
    qtbot.waitUntil(lambda: win.frames_painted >= 2 and s.time_range_us is not None, timeout=START_MS)
    win.play_button.click()
    qtbot.waitUntil(lambda: s.paused, timeout=5000)
    qtbot.wait(300)
    assert (s.source.width, s.source.height) == (96, 72)
    loops = s.pipeline.stats.loops
    win.roi_edit.setText("60,0,36,71")  # (not the corner's row: no event in it at all)
    win.roi_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: s.pipeline.stats.loops > loops, timeout=START_MS)  # the unpaced pass
    qtbot.waitUntil(lambda: not s.pipeline.unpaced.is_set(), timeout=5000)
    qtbot.wait(1500)
    assert s.pipeline.stats.loops <= loops + 2, s.pipeline.stats.loops - loops
    win.close()


def test_the_ring_counts_the_batches_its_consumer_has_taken():
    """The mechanism: the reader, unpaced, waits until the worker has taken (and made the
    windows of) every batch it pushed; a clear (a seek) counts as taken."""
    from evfocus_live.ringbuffer import EventRingBuffer

    rb = EventRingBuffer(1000)
    ev = make_events(n=30)
    rb.push(ev[:10])
    rb.push(ev[:0])  # (nothing: not a batch)
    rb.push(ev[10:20])
    assert (rb.pushes, rb.taken) == (2, 0)
    rb.pop(max_events=15)
    assert rb.taken == 0  # (part of the second is still there)
    rb.pop()
    assert (rb.pushes, rb.taken) == (2, 2)
    rb.push(ev[20:])
    rb.clear()
    assert (rb.pushes, rb.taken) == (3, 3)
