"""A plugin source written from docs/STYLE.md's protocol, ``read(self, max_events)``, failed
at its first read ("missing 1 required positional argument"): it is given a max_events."""

from __future__ import annotations

import numpy as np

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.events import from_arrays
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources.base import EventSource


class ProtocolCam(EventSource):
    """A live source in tonic's style: at most ``max_events`` a read, 3 batches."""

    format = "protocolcam"
    width, height = 32, 24
    is_live = True

    def __init__(self):
        self.asked: list[int] = []

    def read(self, max_events):
        self.asked.append(max_events)
        if len(self.asked) > 3:
            return None
        n = min(max_events, 400)
        t0 = (len(self.asked) - 1) * 1000
        return from_arrays(t0 + np.arange(n), np.arange(n) % 32, np.arange(n) % 24, np.arange(n) % 2)

    def close(self):
        pass


class OptionalCam(ProtocolCam):
    def read(self, max_events=50):  # (an optional one is left to its default)
        return super().read(max_events)


def test_iterating_a_source_whose_read_takes_max_events():
    src = ProtocolCam()
    assert sum(len(b) for b in src) == 1200
    assert len(src.asked) == 4 and len(set(src.asked)) == 1 and src.asked[0] >= 10_000
    opt = OptionalCam()
    assert sum(len(b) for b in opt) == 150


def test_a_pipeline_reads_a_source_whose_read_takes_max_events():
    src = ProtocolCam()
    pipe = Pipeline(src, WindowConfig(mode="events", window_events=300), model="integrator",
                    post=PostConfig(steps=()), reconnect=False)
    frames = list(pipe.frames())
    assert pipe.stats.events_total == 1200 and len(frames) == 4
    assert pipe.stats.source_errors == 0
