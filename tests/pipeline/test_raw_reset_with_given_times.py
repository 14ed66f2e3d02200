"""A RAW file whose sensor clock was reset, with given frame times (``evfocus reconstruct --at``):
windows cannot start over there, so the events after the reset join the window then open, and the
slicer's warning says so (README). Since the pipeline leaves a RAW file's resets to its reader
(said once, not twice), that warning was dropped to debug: the reader's line ("decoding goes on,
the events after it on the new clock") was all, as if the frames were made on the new clock."""

from __future__ import annotations

import logging

import numpy as np
from reader_support import reset_clock_file

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline


def test_given_times_on_a_reset_raw_file_say_the_events_join_the_current_window(tmp_path, caplog, tiny_model):
    path, first, second = reset_clock_file(tmp_path, 3)  # 5.0-5.2 s, then 0.02-0.22 s
    times = np.arange(5_020_000, 5_400_000, 20_000)  # past the first clock's end: the second's events join
    told: list[str] = []
    with caplog.at_level(logging.WARNING), Pipeline(str(path), WindowConfig(mode="timestamps"),
                                                    model_obj=tiny_model, post=PostConfig(steps=()),
                                                    timestamps_us=times, speed=0) as pipe:
        pipe.on_warning = told.append
        frames = list(pipe.frames())
    assert len(frames) == len(times)
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("the sensor clock goes back" in m for m in logged), logged  # the reader's
    joined = [m for m in logged if "the events after it join the current window" in m]
    assert len(joined) == 1, logged
    assert any("join the current window" in t for t in told), told
