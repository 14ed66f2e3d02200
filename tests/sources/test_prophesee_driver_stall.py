"""A Prophesee camera whose driver stalls (a USB stall: its iterator gives nothing, no error).
The reader thread turned that into endless empty batches, as for a still scene, so the
pipeline's 5 s stall watchdog never fired and the frame froze without a word; a stalled
iniVation camera's read() blocks and is said. (A read() that waited for a silent driver was
undone: a camera that sends nothing while still looked stalled; the silence is said in the
log instead: test_prophesee_silent_driver_is_only_reported.py.) A still scene's empty packets
are no silence."""

from __future__ import annotations

import threading
import time
import types

import numpy as np
import pytest
from camera_support import use_nd_camera

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
