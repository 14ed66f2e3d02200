"""A live camera's first read() is waited for at a stop (up to ``FIRST_READ_JOIN_S``, 5 s) so
that its batch reaches the recording. Without a recording nothing keeps that batch, and the
wait froze the viewer for up to 5 s (a source switch, a window close: 1 s before) for a camera
whose first read never returned; a stop given a short ``timeout_s`` waited the 5 s too. The
wait is now for a recording only, never past ``timeout_s``, and said when it is long."""

from __future__ import annotations

import logging
import threading

import pytest
from first_read_support import H, W, StuckFirstRead

import evfocus_live.pipeline as pipeline_mod
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.gui.recording import Recorder

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def stuck(monkeypatch):
    monkeypatch.setattr(pipeline_mod, "LIVE_READ_JOIN_S", 0.05)  # (the real one is 1 s)
    monkeypatch.setattr(pipeline_mod, "FIRST_READ_JOIN_S", 600.0)  # (the real one is 5 s: longer than the test)
    src = StuckFirstRead()
    yield src
    src.release.set()


def _session(src, tiny_model):
    from evfocus_live.gui.session import LiveSession

    return LiveSession(src, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=()),
                       model_obj=tiny_model, recorder=Recorder())


def test_a_stop_without_a_recording_does_not_wait_for_the_first_read(stuck, tiny_model):
    s = _session(stuck, tiny_model)
    s.start()
    try:
        assert stuck.reading.wait(30.0)
        s.stop()  # (a window close; the GUI's source switch stops the pipeline as a session's stop does)
        assert not stuck.returned.is_set()  # left behind, as any read that does not answer
    finally:
        stuck.release.set()
        s.stop()


def test_a_pipeline_stop_keeps_its_timeout_for_a_first_read(stuck, tiny_model):
    pipe = pipeline_mod.Pipeline(stuck, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=()),
                                 model_obj=tiny_model, render_events=False)
    pipe.start()
    try:
        assert stuck.reading.wait(30.0)
        pipe.stop(timeout_s=0.1)
        assert not stuck.returned.is_set()
        assert pipe.first_read_wait_s > 500.0  # (still in it: what a stop would wait, said by the viewer)
    finally:
        stuck.release.set()
        pipe.stop()


def test_a_stop_that_waits_for_a_first_read_says_so(stuck, tiny_model, tmp_path, caplog):
    s = _session(stuck, tiny_model)
    s.recorder.start(events_path=tmp_path / "r.aedat4", width=W, height=H, sensor="stuckstart")
    s.start()
    try:
        assert stuck.reading.wait(30.0)
        threading.Timer(0.5, stuck.release.set).start()  # (the read returns while the stop waits)
        with caplog.at_level(logging.INFO):
            s.stop()
        said = [r.getMessage() for r in caplog.records]
        assert any(m.startswith("waiting up to ") and "stuckstart camera's first read()" in m for m in said), said
        assert stuck.returned.is_set() and s.recorder.n_events >= 2000  # kept
    finally:
        stuck.release.set()
        s.stop()
