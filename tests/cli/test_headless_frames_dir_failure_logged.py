"""A headless ``--frames-dir`` write that failed (a full disk) was kept for the exit's error line
only, printed when nothing else had failed: a run that ended on another fault too (the --video on
the same full disk, a camera that did not come back) exited without a word on why its frames
stopped. The failure is logged as it happens, as the recorder's is."""

from __future__ import annotations

import logging

import numpy as np

from evfocus_live.cli import reconstruct
from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.errors import InputError
from evfocus_live.gui import app
from evfocus_live.gui.session import FrameView


def test_a_failed_write_is_logged_when_it_happens(tmp_path, monkeypatch, caplog):
    def full(path, img):
        raise InputError(f"{path}: cannot write (No space left on device)")

    monkeypatch.setattr(reconstruct, "_write_png", full)
    sink = app._FrameSink(FrameFolder(tmp_path))
    view = FrameView(index=0, t_us=1000, n_events=10, image=np.zeros((6, 8), np.uint8), event_image=None,
                     defocus=None, defocus_mean_px=None, infer_ms=1.0, t_done=0.0)
    with caplog.at_level(logging.ERROR):
        sink(view)
        sink(view)  # (stopped: said once)
    sink.close()
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(said) == 1 and "No space left on device" in said[0] and "--frames-dir" in said[0], said
    assert sink.error is not None
