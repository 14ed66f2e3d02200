"""A Prophesee driver that has given nothing for a while made read() wait for it (said as a
stall after 5 s). Whether a still scene's driver gives empty packets is untested with a
camera, and Metavision's EventsIterator gives a slice only once the camera's data moved its
time on: a camera that sends nothing while the scene is still showed "stalled" and read()
gave nothing. read() now answers empty batches as before; the silence is said once in the
log (a stall, or a still scene) and again when the driver gives."""

from __future__ import annotations

import logging
import threading
import time
import types

import numpy as np
import pytest
from camera_support import use_nd_camera

from evfocus_live.sources import prophesee_camera

TIMEOUT_S = 30.0
DT = np.dtype([("t", "<u8"), ("x", "<u2"), ("y", "<u2"), ("on", "?")])


def quiet_device(give: threading.Event, closed: threading.Event):
    """An nd device that gives nothing at all (not even empty packets) until ``give``, then
    one packet of 10 events, then nothing until closed."""

    class Dev:
        def properties(self):
            return types.SimpleNamespace(width=64, height=48)

        def __iter__(self):
            give.wait(TIMEOUT_S)
            ev = np.zeros(10, DT)
            ev["t"] = np.arange(10)
            yield None, {"dvs_events": ev}
            closed.wait(TIMEOUT_S)

        def __exit__(self, *exc):
            closed.set()
    return Dev


@pytest.fixture
def cam(monkeypatch):
    monkeypatch.setattr(prophesee_camera, "DRIVER_SILENT_S", 0.05)  # (the real ones: 1 s and 5 s)
    monkeypatch.setattr(prophesee_camera, "DRIVER_SILENT_SAY_S", 0.05, raising=False)
    flags = types.SimpleNamespace(give=threading.Event(), closed=threading.Event())
    use_nd_camera(monkeypatch, quiet_device(flags.give, flags.closed))
    src = prophesee_camera.PropheseeCameraSource(poll_timeout_s=0.01)
    src.flags = flags
    yield src
    flags.give.set()
    src.close()


def read_in_thread(cam) -> list:
    """``cam.read()``'s answer, from a thread (a read() that waits would hang the test)."""
    got, done = [], threading.Event()
    threading.Thread(target=lambda: (got.append(cam.read()), done.set()), daemon=True).start()
    done.wait(TIMEOUT_S)
    return got


def test_a_silent_driver_still_gets_empty_batches(cam):
    time.sleep(0.2)  # (four times DRIVER_SILENT_S with nothing from the driver)
    got = read_in_thread(cam)
    assert len(got) == 1 and got[0] is not None and len(got[0]) == 0, got


def test_the_silence_is_said_once_and_its_end_too(cam, caplog):
    time.sleep(0.2)
    with caplog.at_level(logging.INFO, logger=prophesee_camera.__name__):
        for _ in range(5):
            assert len(read_in_thread(cam)[0]) == 0
        cam.flags.give.set()
        deadline = time.monotonic() + TIMEOUT_S
        while not len(batch := read_in_thread(cam)[0]):
            assert time.monotonic() < deadline, "the packet never came"
    assert len(batch) == 10
    said = [r.getMessage() for r in caplog.records]
    assert sum(m.startswith("the Prophesee driver has given nothing for") for m in said) == 1, said
    assert "the Prophesee driver gives again" in said, said
