"""An error in ``--frames-dir``'s writer thread that is not the disk's (here a frame OpenCV cannot
encode: five channels) stops the writing in one line, as a full disk does: OpenCV's message ends
in a newline, which split the log line and the run's ``evfocus-live: error:`` line in two; and
the run's end added "no frame was reconstructed" beside it, though frames were."""

from __future__ import annotations

import logging

import numpy as np
from frames_sink_support import frame_view

from evfocus_live.cli.reconstruct import FrameFolder
from evfocus_live.gui import app


def test_a_frame_that_cannot_be_encoded_is_one_line(tmp_path, caplog):
    sink = app._FrameSink(FrameFolder(tmp_path))
    bad = frame_view(0)
    bad.image = np.zeros((6, 8, 5), np.uint8)  # (no PNG has five channels)
    with caplog.at_level(logging.INFO):
        sink(bad)
        sink(frame_view(1))  # (after the error: let go)
        sink.close()
    assert not sink._thread.is_alive()
    assert sink.error is not None and "\n" not in sink.error, repr(sink.error)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 1 and "\n" not in said[0], said
    assert not (tmp_path / "frame_0000000001.png").exists()
