"""Third review of the viewer, as a lab user: the real window and ``evfocus-live`` runs on
real recordings, switched, recorded, killed and paused; what the user sees and what is
left on disk must be true."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import cv2
import pytest
from conftest import REAL_FILES
from PySide6 import QtCore
from gui_support import make_window, pattern, wait_frames  # noqa: F401 (shared helpers)

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.gui.window import MainWindow, ViewerOptions

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("one_torch_thread")]

TIMEOUT_MS = 30_000


def video_frames(path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    return n


# ---------------------------------------------------------------------- killed runs
@pytest.mark.parametrize("headless", [True, False])
def test_sigterm_finalises_the_recording_and_a_busy_worker_does_not_abort_the_exit(tmp_path, tiny_ckpt, headless):
    """``timeout 10 evfocus-live --headless --video out.mp4`` (or a process manager's kill)
    left an .mp4 without its index that no player opens: only Ctrl-C was handled. And a run
    ending while the model was still in a window longer than the stop's wait (``evfocus-full``
    on a CPU, its first window) aborted as the interpreter exited under it: "terminate
    called without an active exception", exit 134."""
    vid, rec = tmp_path / "out.mp4", tmp_path / "out.aedat4"
    child = textwrap.dedent(f"""
        import os, signal, sys, torch
        from evfocus_live.gui import recording, session
        orig_write, orig_stop = recording.Recorder.write_frame, session.LiveSession.stop
        sent = []
        def write_frame(self, frame, t_us=None):
            orig_write(self, frame, t_us)
            if self.n_frames >= 2 and not sent:  # a recording under way: kill it as `timeout` would
                sent.append(1)
                os.kill(os.getpid(), signal.SIGTERM)
                a = torch.rand(400, 400)
                for _ in range(400):  # a slow model's window: torch, outlasting the stop's wait
                    a = torch.tanh(a @ a)
                print("worker done", file=sys.stderr)
        recording.Recorder.write_frame = write_frame
        session.LiveSession.stop = lambda self, timeout_s=5.0: orig_stop(self, 0.2)
        from evfocus_live.gui.app import main
        sys.exit(main({[*(['--headless'] if headless else []), '--camera', 'pattern', '--model', str(tiny_ckpt),
                        '--device', 'cpu', '--window-events', '1500', '--post', 'none', '--exit-after', '300',
                        '--video', str(vid), '--record', str(rec)]!r}))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert "worker done" in proc.stderr and "terminate called" not in proc.stderr, proc.stderr[-2000:]
    assert video_frames(vid) >= 2, proc.stderr[-2000:]
    from evfocus_live.sources import open_source
    with open_source(rec) as src:
        assert sum(len(b) for b in src) > 0


# ---------------------------------------------------------------------- what the status bar shows
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


def test_the_open_dialog_lists_every_readable_format(qtbot, tmp_path, tiny_model, monkeypatch):
    """README reads E2VID text files as .txt or .csv; the dialog hid .csv files."""
    from PySide6 import QtWidgets
    asked = []
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (asked.append(a[3]), ("", ""))[1]))
    win = make_window(qtbot, tmp_path, pattern(), tiny_model)
    win.open_file_dialog()
    shown = asked[0].split(";;")[0]
    for ext in ("aedat4", "raw", "h5", "npy", "txt", "csv"):
        assert f"*.{ext}" in shown, shown
    win.close()
