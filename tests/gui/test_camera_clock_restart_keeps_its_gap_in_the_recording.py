"""A live camera whose clock restarts (opened again after a USB drop, its clock from 0; a reset)
was recorded on 1 µs after its last event, as a replay's loop is: the time it was away was gone,
so a replay of the recording showed no gap and its length was short. A live source's restart is
now written on after the wall time between the two batches; a replay's jump back still 1 µs on."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from pipeline_support import ArraySource

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.events import from_arrays
from evfocus_live.gui.recording import Recorder
from evfocus_live.sources import open_file

W, H = 64, 48
AWAY_S = 0.4  # how long the camera gives nothing before its clock starts again at 0


def _batch(t0_us: int, n: int = 2000):
    t = t0_us + np.arange(n, dtype=np.int64) * 2
    return from_arrays(t, t % W, (t // W) % H, t % 2)


def _times(path) -> np.ndarray:
    with open_file(path) as f:
        return np.concatenate([b["t"] for b in f])


def test_the_recorder_keeps_a_live_cameras_time_away(tmp_path):
    rec = Recorder()
    rec.start(events_path=tmp_path / "live.aedat4", width=W, height=H)
    rec.write_events(_batch(1_000_000), wall_s=100.0)  # last event at 1.003998 s
    rec.write_events(_batch(0), wall_s=102.5)  # clock from 0, 2.5 s of wall time later
    rec.stop()
    t = _times(tmp_path / "live.aedat4")
    assert (np.diff(t) >= 0).all()
    assert t[-1] - t[1999] == 2_500_000  # (each batch stamped at its newest event)

    rec.start(events_path=tmp_path / "replay.aedat4", width=W, height=H)
    rec.write_events(_batch(1_000_000))
    rec.write_events(_batch(0))  # a replay's loop: written on 1 µs after
    rec.stop()
    t = _times(tmp_path / "replay.aedat4")
    assert t[2000] - t[1999] == 1


class RestartingCam(ArraySource):
    """A live camera: 20 batches, nothing for ``AWAY_S``, then 20 more on a clock from 0."""

    format = "restarting"

    def __init__(self):
        super().__init__(None, W, H, live=True)
        self.n, self.given, self.done = 0, 0, threading.Event()

    def read(self):
        time.sleep(0.005)
        if self.n >= 40:
            self.done.set()
            return np.empty(0, _batch(0).dtype)
        if self.n == 20:
            time.sleep(AWAY_S)
        t0 = 2_000_000 + self.n * 5000 if self.n < 20 else (self.n - 20) * 5000
        self.n += 1
        self.given += 2000
        return _batch(t0)


@pytest.mark.usefixtures("one_torch_thread")
def test_a_live_session_records_the_gap_of_a_clock_restart(tmp_path, tiny_model):
    from evfocus_live.gui.session import LiveSession

    src = RestartingCam()
    s = LiveSession(src, WindowConfig(mode="events", window_events=800), post=PostConfig(steps=()),
                    model_obj=tiny_model, recorder=Recorder())
    s.recorder.start(events_path=tmp_path / "r.aedat4", width=W, height=H)
    s.start()
    try:
        assert src.done.wait(60.0)
    finally:
        s.stop()
    t = _times(tmp_path / "r.aedat4")
    assert len(t) == src.given and (np.diff(t) >= 0).all()
    gap_us = int(t[20 * 2000] - t[20 * 2000 - 1])
    assert gap_us >= (AWAY_S - 0.05) * 1e6, gap_us  # (a lower bound: the wall time slept; was 1 µs)
