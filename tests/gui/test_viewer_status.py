"""The viewer's status bar and source box say what runs: fallbacks at start, unplugged cameras, broken
plugins, the end of a file, models loading, the status log."""

from __future__ import annotations

import pytest
from PySide6 import QtCore
from conftest import REAL_FILES
from gui_support import davis_window, make_window, pattern, wait_frames  # noqa: F401 (shared helpers)

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.gui.window import MainWindow, ViewerOptions


TIMEOUT_MS = 30_000


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_fallback_at_start_stays_on_the_status_bar(qtbot, tmp_path, tiny_model):
    """``evfocus-live --device cuda`` without CUDA, a bad ``--model`` or ``--post``: the
    fallback's reason went to the status bar and was replaced at once by "live: sim"."""
    opts = ViewerOptions(model_obj=tiny_model, post=PostConfig(steps=("bogus",)), source=pattern(),
                         window=WindowConfig(mode="events", window_events=1500), snapshot_dir=tmp_path)
    win = MainWindow(opts)
    qtbot.addWidget(win)
    shown = win.statusBar().currentMessage()
    assert "'bogus' is unavailable" in shown and "running without it" in shown, (shown, win.status_log)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_an_unplugged_camera_stays_on_the_status_bar(qtbot, tmp_path, tiny_model, monkeypatch):
    """The camera-lost message was replaced at once by the simulated camera's "live: sim"."""
    import evfocus_live.gui.window as wmod
    from gui_support import _pluggable_camera
    monkeypatch.setattr(wmod, "open_with_fallback", lambda spec, msgs: pattern())
    cam = _pluggable_camera()
    win = make_window(qtbot, tmp_path, cam, tiny_model)
    wait_frames(qtbot, win, 1)
    cam.plugged = False
    qtbot.waitUntil(lambda: win.session is not None and win.session.source.format == "pattern", timeout=TIMEOUT_MS)
    shown = win.statusBar().currentMessage()
    assert "camera disconnected" in shown and "camera lost" in shown, (shown, win.status_log)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_broken_plugin_stays_on_the_status_bar(qtbot, tmp_path, tiny_model, monkeypatch):
    """"N plugin(s) failed to load" was shown before the first source, whose "playing ..."
    replaced it at once."""
    from importlib.metadata import EntryPoint

    from plugin_support import _with_extra

    from evfocus_live.plugins import POSTPROCESSORS
    _with_extra(monkeypatch, [EntryPoint("broken_post", "nonexistent_mod:Other", POSTPROCESSORS)])
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    shown = win.statusBar().currentMessage()
    assert "1 plugin(s) failed to load (broken_post)" in shown, (shown, win.status_log)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_camera_box_does_not_name_a_camera_while_a_file_plays(qtbot, tmp_path, tiny_model):
    """Opened after the simulated camera, a recording played under "camera: sim"; the box
    still picks a camera afterwards."""
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    assert win.source_combo.currentText() == "pattern"
    assert win.open_source(str(REAL_FILES["davis346"]["path"]))
    assert win.source_combo.currentText() == "", win.source_combo.currentText()
    i = win.source_combo.findText("pattern")
    win.source_combo.activated.emit(i)
    assert win.session.source.format == "pattern" and win.source_combo.currentText() == "pattern"
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_time_and_slider_of_a_paused_replay_are_the_frame_on_show(qtbot, tmp_path):
    """Paused, the time label and slider said where the reader was (0.130 / 0.130 s, or
    0.000 s after a loop pass began) while the frame on show was from 0.05 s; the arrow
    keys seek from the frame, so the slider pointed elsewhere than a seek went."""
    from gui_support import slow_integration
    info = REAL_FILES["davis346"]
    win = make_window(qtbot, tmp_path, str(info["path"]), slow_integration(0.15), speed=0.0, loop=False,
                      window_events=5_000)
    s = win.session
    qtbot.waitUntil(lambda: win.frames_painted >= 1 and s.range_ready.is_set(), timeout=TIMEOUT_MS)
    win.toggle_pause()
    qtbot.wait(400)  # a frame in flight at the pause may still be painted
    win._update_readouts(0.0)
    t0, t1 = s.time_range_us
    shown = win.last_frame.t_us
    assert shown < s.t_us - 5_000, (shown, s.t_us)  # the reader is ahead of the model
    assert win.time_label.text() == f"{(shown - t0) / 1e6:.3f} / {(t1 - t0) / 1e6:.3f} s"
    assert win.seek_slider.value() == int(1000 * (shown - t0) / (t1 - t0))
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_end_of_a_file_replaces_playing_on_the_status_bar(qtbot, tmp_path, tiny_model):
    """A short recording (the EVT3 street clip is 9 ms) ended at once, and the status bar
    went on saying "playing <file>" for ten seconds; nothing said how to play it again."""
    win = make_window(qtbot, tmp_path, str(REAL_FILES["davis346"]["path"]), tiny_model, speed=0.0, loop=False,
                      window_events=20_000)
    s = win.session
    qtbot.waitUntil(lambda: s.ended, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: win.play_button.text() == "Play", timeout=5_000)  # the next readout tick
    shown = win.statusBar().currentMessage()
    assert shown == "end of the recording: space or Play plays it again", (shown, win.status_log)
    n = s.frames_done
    qtbot.keyClick(win, QtCore.Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: s.frames_done > n, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: s.ended, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: win.status_log.count(shown) == 2, timeout=5_000)  # said again at the second end
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_loading_a_model_is_on_screen_while_it_loads(qtbot, tmp_path, tiny_model, tiny_ckpt, monkeypatch):
    """"loading model ..." was set, but the load held the GUI thread before the status bar
    was painted: for the seconds a full model takes, the window showed the old text."""
    from evfocus_live.gui.session import LiveSession
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    wait_frames(qtbot, win, 1)
    painted: list[str] = []
    bar = win.statusBar()

    class Spy(QtCore.QObject):
        def eventFilter(self, obj, ev):
            if ev.type() == QtCore.QEvent.Type.Paint:
                painted.append(bar.currentMessage())
            return False
    spy = Spy()
    bar.installEventFilter(spy)
    on_screen_at_load = []
    orig = LiveSession.set_model
    monkeypatch.setattr(LiveSession, "set_model",
                        lambda self, *a: (on_screen_at_load.append(list(painted)), orig(self, *a))[1])
    win.set_model(str(tiny_ckpt))
    bar.removeEventFilter(spy)
    assert any(m.startswith("loading model") for m in on_screen_at_load[0]), on_screen_at_load
    win.close()


def test_status_log_keeps_the_newest_messages_only(qtbot, tmp_path, tiny_model):
    """Every status message was kept for the window's life: a viewer left running for days
    (a flapping camera: two lines per stall) grew without end."""
    from gui_support import make_window, pattern

    from evfocus_live.gui.window import STATUS_LOG_MAX

    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    for k in range(5 * STATUS_LOG_MAX):
        win.status(f"message {k}")
    assert STATUS_LOG_MAX <= len(win.status_log) <= 2 * STATUS_LOG_MAX
    assert win.status_log[-1] == f"message {5 * STATUS_LOG_MAX - 1}"
    win.close()


def test_a_first_file_that_does_not_open_is_said_once(qtbot, tmp_path, tiny_model, caplog):
    """`evfocus-live folder/`: the log said "is a directory" twice, once alone and once with
    "- showing the simulated camera instead"."""
    from gui_support import make_window as window_on

    with caplog.at_level("WARNING"):
        win = window_on(qtbot, tmp_path, str(tmp_path), tiny_model)
    said = [r.getMessage() for r in caplog.records if "is a directory" in r.getMessage()]
    assert len(said) == 1 and said[0].endswith("showing the simulated camera instead"), said
    assert [m for m in win.status_log if "is a directory" in m] == said
    assert win.session is not None and win.session.source.format == "sim"
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("camera", ["davis346", "auto"])
def test_picking_a_camera_that_is_not_attached_keeps_the_running_source(qtbot, tmp_path, tiny_model, camera):
    """Replaying (and recording) a file, a pick of a camera that is not plugged in swapped the
    replay for the simulated camera: its place and its recording gone, for a camera that was
    not there. Now it says so and the replay goes on, recording, the camera box empty again."""
    win = davis_window(qtbot, tmp_path, tiny_model, speed=0.5, loop=True)
    wait_frames(qtbot, win)
    sess = win.session
    win.record_button.click()
    assert sess.recorder.active
    i = win.source_combo.findText(camera)
    win.source_combo.setCurrentIndex(i)
    win.source_combo.activated.emit(i)
    assert win.session is sess and sess.source.format == "aedat4", win.status_log
    assert "camera" in win.status_log[-1] and win.status_log[-1].endswith("keeping the current source")
    assert win.source_combo.currentIndex() == -1
    assert sess.recorder.active and win.record_button.isChecked()
    wait_frames(qtbot, win)
    win.close()


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_a_plugin_source_without_a_size_is_a_status_line_not_a_traceback(qtbot, tmp_path, tiny_model):
    """The ROI memory looks the new sensor's size up before the session is built: a plugin
    whose width is None must still be the session's one line, the current source kept."""
    from evfocus_live.sources.base import EventSource

    class NoneSize(EventSource):
        format = "nonesize"
        width = height = None

        def read(self):
            return None

    win = make_window(qtbot, tmp_path, pattern(96, 72), tiny_model)
    wait_frames(qtbot, win)
    sess = win.session
    assert not win.open_source(NoneSize())
    assert win.session is sess and win.status_log[-1].endswith("keeping the current source"), win.status_log
    wait_frames(qtbot, win)
    win.close()
