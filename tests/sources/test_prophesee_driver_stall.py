"""A Prophesee camera whose driver stalls (a USB stall: its iterator gives nothing, no error).
The reader thread turned that into endless empty batches, as for a still scene, so the
pipeline's 5 s stall watchdog never fired and the frame froze without a word; a stalled
iniVation camera's read() blocks and is said. A driver silent for ``DRIVER_SILENT_S`` now
makes read() wait for it: the stall is said as a DV one is, and a close still ends the read."""

from __future__ import annotations

import logging
import threading
import time
import types

import numpy as np
import pytest
from camera_support import use_nd_camera

import evfocus_live.pipeline as pipeline_mod
from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline
from evfocus_live.sources import prophesee_camera

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TIMEOUT_S = 30.0
DT = np.dtype([("t", "<u8"), ("x", "<u2"), ("y", "<u2"), ("on", "?")])


def stalling_device(stalled: threading.Event, release: threading.Event, still: threading.Event):
    """An nd device: packets of events while neither is set; ``still``: empty packets (a still
    scene); ``stalled``: its iterator blocks until ``release`` (a driver that stopped)."""

    class Dev:
        def properties(self):
            return types.SimpleNamespace(width=64, height=48)

        def __iter__(self):
            t = 0
            while True:
                if stalled.is_set():
                    release.wait(TIMEOUT_S)
                    stalled.clear()
                time.sleep(0.005)
                if still.is_set():
                    yield None, None
                    continue
                ev = np.zeros(50, DT)
                ev["t"] = t + np.arange(50)
                ev["x"], ev["y"] = np.arange(50) % 64, np.arange(50) % 48
                t += 5000
                yield None, {"dvs_events": ev}

        def __exit__(self, *exc):
            release.set()  # (closing the device ends a blocked transfer)
    return Dev


@pytest.fixture
def cam(monkeypatch):
    monkeypatch.setattr(prophesee_camera, "DRIVER_SILENT_S", 0.1, raising=False)  # (the real one is 1 s)
    flags = types.SimpleNamespace(stalled=threading.Event(), release=threading.Event(), still=threading.Event())
    use_nd_camera(monkeypatch, stalling_device(flags.stalled, flags.release, flags.still))
    src = prophesee_camera.PropheseeCameraSource(poll_timeout_s=0.01)
    src.flags = flags
    yield src
    flags.release.set()
    src.close()


def test_a_still_scene_still_reads_empty_batches(cam):
    cam.flags.still.set()
    time.sleep(0.3)  # (three times DRIVER_SILENT_S of empty packets: the driver is not silent)
    assert cam.read() is not None
    assert all(len(cam.read()) == 0 for _ in range(20))  # (each within its poll: none waits)


def test_a_read_waits_for_a_stalled_driver_and_a_close_ends_it(cam):
    assert cam.read() is not None
    cam.flags.stalled.set()
    while len(cam.read()):  # (what was queued)
        pass
    got, done = [], threading.Event()
    t = threading.Thread(target=lambda: (got.append(cam.read()), done.set()), daemon=True)
    time.sleep(0.3)  # the driver silent for three times DRIVER_SILENT_S
    t.start()
    assert not done.wait(0.5)  # an empty batch within its 10 ms poll was the old answer
    cam.close()  # (Ctrl-C: the stop has said it; close ends the read)
    assert done.wait(TIMEOUT_S) and got == [None]


def test_a_stalled_prophesee_camera_is_said_by_the_watchdog(cam, tiny_model, caplog, monkeypatch):
    monkeypatch.setattr(pipeline_mod, "STALL_S", 0.3, raising=False)  # (the real one is 5 s)
    pipe = Pipeline(cam, WindowConfig(mode="events", window_events=200), post=PostConfig(steps=()),
                    model_obj=tiny_model, render_events=False, reconnect=False)
    with caplog.at_level(logging.WARNING):
        pipe.start()
        try:
            deadline = time.monotonic() + TIMEOUT_S
            while pipe.stats.frames < 2:
                assert time.monotonic() < deadline, "no frame"
                time.sleep(0.01)
            cam.flags.stalled.set()
            while not pipe.stats.stalls:
                assert time.monotonic() < deadline, "the stall was never said"
                time.sleep(0.01)
            cam.flags.release.set()  # the driver gives again: said, and frames come again
            frames = pipe.stats.frames
            while pipe.stats.frames <= frames or pipe.stats.stalled_s:
                assert time.monotonic() < deadline, "no frame after the stall"
                time.sleep(0.01)
        finally:
            pipe.stop()
    said = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("prophesee source: read() has not returned for") for m in said), said
    assert any(m.startswith("prophesee source: read() returned after") for m in said), said
