"""A replay at ``--speed 10`` of a 1280x720 ``.npy`` (1.7 Mev/s) ran at 1.8x: the session's
``TapSource`` handed each 512 k-event batch on in 2 ms slices of sensor time, searching the
strided ``t`` field for each cut (numpy copied the rest of the batch first: quadratic in the
batch), and the pipeline paced 5 ms parts, 2000 pushes a second at 10x. Now the cuts are found
once a batch, and both slice by wall time (the chunk times the speed)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.events import EVENT_DTYPE, concat
from evfocus_live.gui.session import TapSource
from evfocus_live.pipeline import Pipeline

SPAN_US = 2_000_000


def events(n: int = 100_000) -> np.ndarray:
    ev = np.zeros(n, EVENT_DTYPE)
    ev["t"] = np.arange(n) * (SPAN_US // n)
    ev["x"], ev["y"] = np.arange(n) % 64, (np.arange(n) // 64) % 48
    return ev


def session(speed: float):
    return SimpleNamespace(_stop=threading.Event(), pipeline=SimpleNamespace(speed=speed, check_bounds=lambda b: b),
                           _on_events=lambda b: None)


def test_tap_slices_by_wall_time_cut_once_a_batch(monkeypatch):
    import evfocus_live.pipeline as pipeline

    ev = events()
    found = []
    edges = pipeline.pace_edges

    def spy(t, *args, **kw):
        found.append(len(t))
        return edges(t, *args, **kw)

    monkeypatch.setattr(pipeline, "pace_edges", spy)
    for speed, n_slices in ((1.0, SPAN_US // TapSource.CHUNK_US), (10.0, SPAN_US // TapSource.CHUNK_US // 10)):
        tap = TapSource(ArraySource(ev, 64, 48, batch=len(ev)), session(speed))
        slices = []
        while (b := tap.read()) is not None:
            slices.append(b)
        assert np.array_equal(concat(slices), ev)  # (every event, in order)
        assert abs(len(slices) - n_slices) <= 1, (speed, len(slices))
    # (the cuts found once a batch: a search in the strided t at each slice copied the rest of it)
    assert found == [len(ev), len(ev)], found


def test_a_fast_replay_is_paced_in_parts_of_wall_time():
    pipe = Pipeline(ArraySource(events(), 64, 48, batch=25_000), WindowConfig(mode="duration", window_ms=50),
                    model=SumModel(), post=NO_POST, speed=10.0, render_events=False)
    pipe.start()
    assert pipe.wait(30.0)
    # 2 s of sensor time in parts of 5 ms of wall time (50 ms of sensor time at 10x), plus one
    # more at each of the 4 batches' ends: 400 pushes of 5 ms of sensor time before
    assert pipe.ring.pushes <= SPAN_US // 50_000 + 4, pipe.ring.pushes
