"""A live camera's first read() in progress at a stop. Left behind with no recording, it was
warned of as a camera that "did not answer", though a DAVIS's first read compiles its decoder for
seconds and nothing was lost: now an info line. Waited for but cut short by the stop's timeout
(events the recording does not get), it is still a warning. A recording of the video alone
(headless --video without --record) waited up to 5 s for that batch, which it never keeps."""

from __future__ import annotations

import logging

import pytest
from first_read_support import H, W, StuckFirstRead

import evfocus_live.pipeline as pipeline_mod
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.gui.recording import Recorder

pytestmark = pytest.mark.usefixtures("one_torch_thread")
WINDOW = WindowConfig(mode="events", window_events=800)


@pytest.fixture
def stuck(monkeypatch):
    monkeypatch.setattr(pipeline_mod, "LIVE_READ_JOIN_S", 0.05)  # (the real one is 1 s)
    src = StuckFirstRead(hold_s=60.0)
    yield src
    src.release.set()


def _said(caplog) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records]


def _stopped_in_its_first_read(stuck, model, caplog, **stop_kw) -> list[tuple[int, str]]:
    """What a pipeline's stop(**stop_kw) during the camera's first read says."""
    pipe = pipeline_mod.Pipeline(stuck, WINDOW, post=PostConfig(steps=()), model_obj=model, render_events=False)
    pipe.start()
    try:
        assert stuck.reading.wait(30.0)
        with caplog.at_level(logging.INFO):
            pipe.stop(**stop_kw)
        return _said(caplog)
    finally:
        stuck.release.set()
        pipe.stop()


def test_a_first_read_not_waited_for_is_no_warning(stuck, tiny_model, caplog):
    said = _stopped_in_its_first_read(stuck, tiny_model, caplog, wait_first_read=False)
    assert not [m for lvl, m in said if lvl >= logging.WARNING], said
    assert any("first read() was still in progress" in m and "nothing lost" in m for _, m in said), said


def test_a_first_read_cut_short_for_a_recording_is_still_warned_of(stuck, tiny_model, caplog):
    said = _stopped_in_its_first_read(stuck, tiny_model, caplog, timeout_s=0.1, wait_first_read=True)
    warned = [m for lvl, m in said if lvl == logging.WARNING]
    assert any("first read() has not returned" in m and "not recorded" in m for m in warned), warned


def test_a_video_alone_does_not_hold_a_stop_for_a_first_read(stuck, tiny_model, tmp_path, caplog):
    from evfocus_live.gui.session import LiveSession

    s = LiveSession(stuck, WINDOW, post=PostConfig(steps=()), model_obj=tiny_model, recorder=Recorder())
    s.recorder.start(video_path=tmp_path / "v.mp4", width=W, height=H)
    s.start()
    try:
        assert stuck.reading.wait(30.0)
        with caplog.at_level(logging.INFO):
            s.stop()  # (headless: Ctrl-C)
        said = _said(caplog)
        assert not any(m.startswith("waiting up to ") for _, m in said), said
        assert not [m for lvl, m in said if lvl >= logging.WARNING], said
    finally:
        stuck.release.set()
        s.stop()
