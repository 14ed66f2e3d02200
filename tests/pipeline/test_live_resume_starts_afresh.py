"""A camera paused and resumed: the events of the pause are let go, but the slicer's open window
went on from before it, so the first packet after resume made the pause's empty windows (up to
``max_empty_windows``) ahead of the frames of now; the keep-up skip to the newest hid it until
a model that keeps up made every window of a packet. Its windows now start at the next event."""

from __future__ import annotations

import numpy as np
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.pipeline import Pipeline


def packet(t0_us: int, t1_us: int) -> np.ndarray:
    ev = np.zeros((t1_us - t0_us) // 1_000, EVENT_DTYPE)
    ev["t"] = np.arange(t0_us, t1_us, 1_000)
    return ev


def test_a_resumed_camera_makes_no_window_of_its_pause():
    pipe = Pipeline(ArraySource(packet(0, 1_000), 64, 48, live=True), WindowConfig(mode="duration", window_ms=20),
                    model=SumModel(), post=NO_POST)
    assert len(pipe.slicer.push(packet(0, 100_000))) == 4
    pipe.pause()
    pipe.resume()
    got = pipe.slicer.push(packet(500_000, 560_000))  # (the pause: 20 windows of 20 ms)
    assert [w.t_start_us for w in got] == [500_000, 520_000]
