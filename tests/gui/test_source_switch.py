"""Switching the viewer's source: a busy worker waited for once, the old session's memory given back."""

from __future__ import annotations

import logging
import threading

import pytest
from cli_support import write_aedat4
from gui_support import LongFile

from evfocus_live.config import PostConfig, WindowConfig


TIMEOUT_MS = 30_000


def test_source_switch_waits_once_for_a_busy_worker(qtbot, tmp_path, tiny_model, monkeypatch):
    """A switch while the model is still in a window (slow model): the pipeline stop waited
    5 s, then ``old.stop()`` waited 5 s more with the window frozen. The second wait is
    short; the new source plays while the old worker finishes, and it does finish."""
    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.gui.session import LiveSession
    from evfocus_live.gui.window import MainWindow, ViewerOptions
    from evfocus_live.pipeline import Pipeline

    gate, entered, release = {"armed": False}, threading.Event(), threading.Event()
    orig_on_frame, orig_stop = LiveSession._on_frame, Pipeline.stop

    def on_frame(self, fr):  # the worker thread, as a slow model's window would hold it
        if gate["armed"]:
            gate["armed"] = False
            entered.set()
            release.wait(TIMEOUT_MS / 1000)
        orig_on_frame(self, fr)

    waits = []

    def stop(self, timeout_s=5.0, **kw):  # record the wait asked for, wait a little (no 5 s test)
        waits.append(timeout_s)
        orig_stop(self, min(timeout_s, 0.2), **kw)

    monkeypatch.setattr(LiveSession, "_on_frame", on_frame)
    monkeypatch.setattr(Pipeline, "stop", stop)
    a, b = write_aedat4(tmp_path / "a.aedat4", duration_us=2_000_000), write_aedat4(tmp_path / "b.aedat4")
    win = MainWindow(ViewerOptions(model_obj=tiny_model, post=PostConfig(steps=()), source=str(a), speed=0.0,
                                   window=WindowConfig(mode="events", window_events=1500),
                                   record_dir=tmp_path / "recs", snapshot_dir=tmp_path))
    qtbot.addWidget(win)
    try:
        old = win.session
        gate["armed"] = True
        assert entered.wait(TIMEOUT_MS / 1000)
        waits.clear()
        assert win.open_source(str(b))
        assert win.session is not old
        assert sum(waits) <= 5.0 + 0.1, waits  # one full wait at most, not two
        worker = [t for t in old.pipeline._threads if t.name == "evfocus-worker"]
        assert worker and worker[0].is_alive()  # still in its window: kept listed
        start = win.frames_painted
        qtbot.waitUntil(lambda: win.frames_painted > start, timeout=TIMEOUT_MS)  # the new source plays
    finally:
        release.set()
    worker[0].join(TIMEOUT_MS / 1000)
    assert not worker[0].is_alive()
    win.close()


def test_source_switch_frees_the_old_session_and_returns_its_heap(qtbot, tmp_path, tiny_model, monkeypatch):
    """24 source switches grew the viewer from ~580 MB to ~1.6 GB: freed sessions (found by
    the cycle collector only) left their memory in glibc's per-thread arenas. A switch now
    collects the old session and trims the heap, before the new session's threads start."""
    import weakref

    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.gui import session as session_mod
    from evfocus_live.gui import window as window_mod
    from evfocus_live.gui.window import MainWindow, ViewerOptions

    calls, orig = [], session_mod.release_freed_memory
    monkeypatch.setattr(window_mod, "release_freed_memory", lambda: (calls.append(1), orig()))
    a, b = write_aedat4(tmp_path / "a.aedat4"), write_aedat4(tmp_path / "b.aedat4")
    win = MainWindow(ViewerOptions(model_obj=tiny_model, post=PostConfig(steps=()), source=str(a),
                                   window=WindowConfig(mode="events", window_events=1500),
                                   record_dir=tmp_path / "recs", snapshot_dir=tmp_path))
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.frames_painted >= 1, timeout=TIMEOUT_MS)
    assert not calls  # (the first source replaces nothing)
    ref = weakref.ref(win.session)
    assert win.open_source(str(b))
    assert calls == [1] and ref() is None
    win.close()


def test_release_freed_memory_is_a_no_op_without_glibc(monkeypatch):
    from evfocus_live.gui import session as session_mod

    monkeypatch.setattr(session_mod, "_malloc_trim", None)
    monkeypatch.setattr(session_mod.sys, "platform", "darwin")
    session_mod.release_freed_memory()
    assert session_mod._malloc_trim is False


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_closing_a_file_during_its_time_range_scan_warns_nothing(tiny_model, caplog):
    """Switching away from a large RAW file while its end was still being found closed the
    file under the scan: "time range unavailable: 'NoneType' object ..." on stderr."""
    import threading

    from evfocus_live.gui.session import LiveSession

    started, release = threading.Event(), threading.Event()

    class SlowScan(LongFile):
        def time_range_us(self):
            started.set()
            release.wait(10)
            if self.ev is None:
                raise TypeError("'NoneType' object is not subscriptable")
            return super().time_range_us()

        def close(self):
            self.ev = None

    sess = LiveSession(SlowScan(), WindowConfig(mode="events", window_events=2000), post=PostConfig(steps=()),
                       model_obj=tiny_model)
    assert started.wait(10)
    with caplog.at_level(logging.WARNING, logger="evfocus_live.gui"):
        sess.stop()
        release.set()
        assert sess.range_ready.wait(10)
    assert not [r for r in caplog.records if "time range" in r.getMessage()], caplog.text
