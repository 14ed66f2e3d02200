"""Helpers the viewer tests share: windows on a pattern, a DAVIS recording or a paused looping replay,
waits, a model whose first window waits for the test, a blacked-out window."""

from __future__ import annotations

import threading
import time

import numpy as np
import torch
from aps_support import aps_window
from conftest import REAL_FILES, make_events
from PySide6 import QtCore

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.gui.window import BLANK_TEXT, MainWindow, ViewerOptions
from evfocus_live.pipeline import PlayedGap
from evfocus_live.sources.base import EventSource


TIMEOUT_MS = 30_000


def pattern(w=96, h=72, fmt=None):
    from evfocus_plugin_pattern import PatternSource
    src = PatternSource(width=w, height=h)
    if fmt:
        src.format = fmt  # a named live camera, not the simulated one
    return src


def make_window(qtbot, tmp_path, source, model_obj, **kw) -> MainWindow:
    window = kw.pop("window", None) or WindowConfig(mode="events", window_events=kw.pop("window_events", 1500))
    opts = ViewerOptions(model_obj=model_obj, post=PostConfig(steps=kw.pop("post", ())), window=window,
                         record_dir=tmp_path / "rec", snapshot_dir=kw.pop("snapshot_dir", tmp_path / "snap"),
                         source=source, **kw)
    win = MainWindow(opts)
    qtbot.addWidget(win)
    win.resize(1200, 600)
    win.show()
    return win


def wait_frames(qtbot, win, n=1):
    start = win.frames_painted
    qtbot.waitUntil(lambda: win.frames_painted >= start + n, timeout=TIMEOUT_MS)


def wait_idle(qtbot, session, quiet_ms=400, timeout_s=30.0):
    """Wait until a paused pipeline has finished the windows it had already taken."""
    deadline = time.monotonic() + timeout_s
    last = -1
    while time.monotonic() < deadline:
        n = session.pipeline.stats.frames
        if n == last and session.pipeline.ring.fill == 0:
            return
        last = n
        qtbot.wait(quiet_ms)
    raise AssertionError("pipeline did not go idle while paused")


def _pluggable_camera():
    """A live source that raises DeviceError once ``plugged`` is False, like a pulled cable."""
    from evfocus_plugin_pattern import PatternSource

    from evfocus_live.errors import DeviceError

    class Cam(PatternSource):
        format = "dying-cam"
        plugged = True

        def read(self):
            if not self.plugged:
                raise DeviceError("camera disconnected")
            return super().read()
    return Cam(width=64, height=48)


class CorruptFile(EventSource):
    """A recording whose 4th packet is corrupt."""
    format, sensor, width, height = "corrupt", "test", 64, 48

    def __init__(self):
        self.ev = make_events(40_000, 64, 48, duration_us=400_000)
        self.i = 0

    def read(self):
        from evfocus_live.errors import InputError
        self.i += 1
        if self.i > 3:
            raise InputError("corrupt.aedat4: packet 4 is truncated")
        return self.ev[(self.i - 1) * 5000:self.i * 5000]

    def seek(self, t_us):
        self.i = int(np.searchsorted(self.ev["t"], t_us)) // 5000

    def time_range_us(self):
        return int(self.ev["t"][0]), int(self.ev["t"][-1])


def slow_integration(delay_s: float = 0.06):
    """Direct integration that takes ``delay_s`` a window: the worker lags behind the reader."""
    from evfocus_live.gui.session import DirectIntegration

    class Slow(DirectIntegration):
        def forward(self, voxel):
            time.sleep(delay_s)
            return super().forward(voxel)
    return Slow()


def set_roi(win, text: str) -> None:
    win.roi_edit.setText(text)
    win.roi_edit.editingFinished.emit()


DAVIS = REAL_FILES["davis346"]


FRAME_TIMEOUT_MS = 30_000


def davis_window(qtbot, tmp_path, model, **kw):
    return aps_window(qtbot, tmp_path, str(DAVIS["path"]), model, **kw)


def paused_on_a_frame(qtbot, win):
    """Pause a replay and wait until the frame on show is the last it makes."""
    wait_frames(qtbot, win, 2)
    win.play_button.click()
    qtbot.waitUntil(lambda: win.session.paused, timeout=5000)
    wait_idle(qtbot, win.session)
    qtbot.wait(100)
    return win.last_frame, win.frames_painted


def paused_seek_recorder(qtbot, tmp_path, model):
    """A paused DAVIS replay whose seeks are recorded, not made: (the window, the t_us sought)."""
    win = davis_window(qtbot, tmp_path, model, speed=1.0, loop=True)
    paused_on_a_frame(qtbot, win)
    sought: list[int] = []
    win.seek = lambda t_us: sought.append(int(t_us))
    return win, sought


def redone(qtbot, win, fv, n):
    """One new frame of the same window, and the replay still paused."""
    qtbot.waitUntil(lambda: win.frames_painted > n, timeout=FRAME_TIMEOUT_MS)
    qtbot.waitUntil(lambda: win.session.paused and win.play_button.text() == "Play", timeout=5000)
    new = win.last_frame
    assert (new.t_start_us, new.t_us) == (fv.t_start_us, fv.t_us) and new.index > fv.index
    return new, win.frames_painted


def drag(qtbot, pane, a: tuple[float, float], b: tuple[float, float], steps: int = 6) -> None:
    """A left-button drag on ``pane`` from image pixel ``a`` to ``b`` (press, moves, release)."""
    from PySide6 import QtCore, QtGui, QtWidgets

    vp = pane.viewport()

    def at(p):
        return QtCore.QPointF(pane.mapFromScene(pane.view.mapViewToScene(QtCore.QPointF(*p))))

    def send(kind, p, buttons):
        ev = QtGui.QMouseEvent(kind, p, vp.mapToGlobal(p), QtCore.Qt.MouseButton.LeftButton, buttons,
                               QtCore.Qt.KeyboardModifier.NoModifier)
        QtWidgets.QApplication.sendEvent(vp, ev)

    left = QtCore.Qt.MouseButton.LeftButton
    send(QtCore.QEvent.Type.MouseButtonPress, at(a), left)
    for i in range(1, steps + 1):
        qtbot.wait(40)  # (pyqtgraph's scene skips moves that come too fast)
        t = i / steps
        send(QtCore.QEvent.Type.MouseMove, at((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))), left)
    qtbot.wait(40)
    send(QtCore.QEvent.Type.MouseButtonRelease, at(b), QtCore.Qt.MouseButton.NoButton)


class LongFile(EventSource):
    """A seekable 4 s recording, 100 k events/s."""
    format, sensor, width, height = "longfile", "test", 64, 48

    def __init__(self):
        self.ev = make_events(400_000, 64, 48, t0_us=1_000_000, duration_us=4_000_000)
        self.i = 0

    def read(self):
        if self.i >= len(self.ev):
            return None
        self.i += 5000
        return self.ev[self.i - 5000:self.i]

    def seek(self, t_us):
        self.i = int(np.searchsorted(self.ev["t"], t_us))

    def time_range_us(self):
        return int(self.ev["t"][0]), int(self.ev["t"][-1])


class ScriptedCamera(EventSource):
    """A live 64x48 camera whose read number ``k`` (2 ms apart) gives ``batch(k)``: a clock gone wrong."""
    format, sensor, width, height = "scripted", "test", 64, 48
    is_live = True

    def __init__(self, batch):
        self._batch = batch
        self.reads = 0
        self._closed = False

    def read(self):
        if self._closed:
            return None
        time.sleep(0.002)
        self.reads += 1
        return self._batch(self.reads - 1)

    def close(self):
        self._closed = True


Key = QtCore.Qt.Key


def _blacked_out(qtbot, tmp_path, model):
    win = make_window(qtbot, tmp_path, "sim", model)
    wait_frames(qtbot, win)
    win.session.pause()  # (no keep-up warning of the test machine's own meanwhile)
    wait_idle(qtbot, win.session)
    win.statusBar().clearMessage()
    qtbot.keyClick(win, Key.Key_B)
    assert win.blanked and win.statusBar().currentMessage() == BLANK_TEXT
    return win


class Gated(torch.nn.Module):
    """The tiny model; its first forward waits for ``go`` (a warm-up the test ends, no timing)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.config = getattr(inner, "config", {})
        self.entered, self.go = threading.Event(), threading.Event()

    def reset_states(self):
        self.inner.reset_states()

    def forward(self, voxel):
        if not self.entered.is_set():
            self.entered.set()
            assert self.go.wait(30)
        return self.inner(voxel)


def paused_looping_replay(qtbot, tmp_path, model):
    """A viewer looping a real recording, paused after its first frame; its (first, last) t_us."""
    w = make_window(qtbot, tmp_path, str(REAL_FILES["davis346"]["path"]), model, loop=True, window_events=20_000)
    wait_frames(qtbot, w, 1)
    w.session.pause()
    wait_idle(qtbot, w.session)
    qtbot.waitUntil(lambda: w.session.time_range_us is not None, timeout=10_000)
    return w, *w.session.time_range_us


def in_the_end_pause(w, t1: int) -> None:
    """1.2 s into a 3 s pause after the last event at ``t1``, as ``_show_gap`` leaves it."""
    w._gap = PlayedGap(t1, t1 + 3_000_000, 3.0, False, 1.0, at_end=True)
    w._gap_t_us = t1 + 1_200_000.0


def placeholder_shown(pane) -> str:
    """An image pane's placeholder text if it is on show, else "" (the empty-pane texts)."""
    return pane.placeholder.text() if pane.placeholder.isVisible() else ""
