"""Headless ``--frames-dir`` writes each frame's PNGs on the model's thread: a slow disk (an SD
card, a network share) made the run skip windows, and the keep-up warning blamed the model
alone ("the model cannot keep up: 8 ms a window") with hints on the model's load (--downsample,
--roi). The write time is measured and said in that warning."""

from __future__ import annotations

import logging
import types

import numpy as np

from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.gui import app
from evfocus_live.gui.session import BehindNotice, FrameView


def _view(index: int) -> FrameView:
    return FrameView(index=index, t_us=1000 * (index + 1), n_events=10, image=np.zeros((6, 8), np.uint8),
                     event_image=None, defocus=None, defocus_mean_px=None, infer_ms=1.0, t_done=0.0)


def test_the_sink_measures_its_writes(tmp_path, monkeypatch):
    clock = [100.0]
    sink = app._FrameSink(FrameFolder(tmp_path), clock_s=lambda: clock[0])
    real = sink.folder.write

    def slow_write(view):  # (a 40 ms write, on a clock of our own)
        real(view)
        clock[0] += 0.040

    monkeypatch.setattr(sink.folder, "write", slow_write)
    for i in range(3):
        sink(_view(i))
    sink.close()
    assert abs(sink.write_ms - 40.0) < 1e-6


def _said(monkeypatch, caplog, model_ms: float, write_ms: float) -> str:
    stats = types.SimpleNamespace(behind=f"the model cannot keep up: {model_ms:.0f} ms a window at 64x48, 5 of the "
                                         "last 9 windows skipped", infer_ms=model_ms, post_ms=0.0)
    sess = types.SimpleNamespace(stats=lambda: stats, pipeline=types.SimpleNamespace())
    monkeypatch.setattr("evfocus_live.gui.session.faster_hint", lambda p, viewer: "")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        app._say_behind(sess, BehindNotice(), 0.0, types.SimpleNamespace(write_ms=write_ms, wait_ms=write_ms))
    said = [r.getMessage() for r in caplog.records if "cannot keep up" in r.getMessage()]
    assert len(said) == 1, said
    return said[0]


def test_the_keep_up_warning_says_the_write_time(monkeypatch, caplog):
    said = _said(monkeypatch, caplog, model_ms=8.0, write_ms=45.0)
    assert "45 ms" in said and "--frames-dir" in said, said
    # (a write small beside the model's time is not what holds the run back: not said)
    assert "--frames-dir" not in _said(monkeypatch, caplog, model_ms=108.0, write_ms=5.0)
