"""The live camera sources (iniVation dv, Prophesee via neuromorphic-drivers and Metavision), mocked:
open failures, errors, unplugging, close."""

from __future__ import annotations

import sys
import time
import types

import numpy as np
import pytest
from camera_support import threads_cannot_start, use_nd_camera

from evfocus_live.errors import DeviceError, InputError


def _fake_metavision(monkeypatch, size):
    """``metavision_core.event_io`` with an OpenEB-like EventsIterator: its ``reader`` is a
    context manager whose exit releases the camera (counted in ``released``); ``size`` is what
    get_size() gives, or an exception it raises."""
    from evfocus_live.sources import prophesee_camera

    released = []

    class Reader:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            released.append(exc)

    ev = np.zeros(5, dtype=[("x", "<u2"), ("y", "<u2"), ("p", "<i2"), ("t", "<i8")])

    class EventsIterator:
        def __init__(self, input_path, **kw):
            self.reader = Reader()

        def get_size(self):
            if isinstance(size, Exception):
                raise size
            return size

        def __iter__(self):
            with self.reader:
                yield ev

    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "metavision")
    monkeypatch.setitem(sys.modules, "metavision_core", types.SimpleNamespace())
    monkeypatch.setitem(sys.modules, "metavision_core.event_io", types.SimpleNamespace(EventsIterator=EventsIterator))
    return prophesee_camera, released


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("size,message", [
    (RuntimeError("No I_Geometry facility\nat hal/device.cpp:12"), r"\(RuntimeError: No I_Geometry facility\)$"),
    ((None, None), r"\(ValueError: it reports None x None pixels\)$"),  # was a bare TypeError traceback
])
def test_metavision_size_failure_releases_the_camera_and_is_one_line(monkeypatch, size, message):
    """get_size() failing after EventsIterator opened the camera dropped the iterator without
    releasing it: the DeviceError's traceback kept it, and the next open found the camera busy."""
    mod, released = _fake_metavision(monkeypatch, size)
    with pytest.raises(DeviceError, match=r"^cannot read the sensor size of the Prophesee camera via "
                                          r"Metavision " + message) as ei:
        mod.PropheseeCameraSource()
    assert "\n" not in str(ei.value)
    assert len(released) == 1


@pytest.mark.usefixtures("one_torch_thread")
def test_metavision_reader_thread_failure_releases_the_camera(monkeypatch):
    from camera_support import threads_cannot_start

    mod, released = _fake_metavision(monkeypatch, (480, 640))
    threads_cannot_start(monkeypatch, mod)
    with pytest.raises(DeviceError, match=r"^cannot start the camera reader thread"):
        mod.PropheseeCameraSource()
    assert len(released) == 1


@pytest.mark.usefixtures("one_torch_thread")
def test_metavision_close_releases_the_camera(monkeypatch):
    """(A guard: the explicit release beside the generator's own must not break a plain close.)"""
    mod, released = _fake_metavision(monkeypatch, (480, 640))
    cam = mod.PropheseeCameraSource(poll_timeout_s=0.5)
    assert (cam.width, cam.height) == (640, 480) and len(cam.read()) == 5
    cam.close()
    cam.close()  # safe twice
    assert released and not cam._thread.is_alive() and cam.read() is None


def _fake_nd_failing(monkeypatch, fail_in):
    from evfocus_live.sources import prophesee_camera

    closed = []

    class Dev:
        def properties(self):
            if fail_in == "properties":
                raise RuntimeError("LIBUSB_ERROR_IO\ncontrol transfer failed")
            return types.SimpleNamespace(width=1280, height=720)

        def __exit__(self, *a):
            closed.append(a)

        def __iter__(self):
            return iter(())

    nd = types.SimpleNamespace(
        list_devices=lambda: [types.SimpleNamespace(name="Prophesee EVK4", serial="00051501", error=None)],
        open=lambda serial=None, **kw: Dev())
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers", nd)
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    return prophesee_camera, closed


def test_prophesee_nd_properties_failure_closes_the_device_and_is_one_line(monkeypatch):
    """properties() raising left the opened camera unclosed (the next open found it busy)
    and surfaced as a bare RuntimeError traceback."""
    mod, closed = _fake_nd_failing(monkeypatch, "properties")
    with pytest.raises(DeviceError) as ei:
        mod.PropheseeCameraSource()
    assert str(ei.value) == ("cannot read the properties of Prophesee EVK4 "
                             "(RuntimeError: LIBUSB_ERROR_IO)")
    assert len(closed) == 1


def test_prophesee_nd_reader_thread_failure_closes_the_device(monkeypatch):
    mod, closed = _fake_nd_failing(monkeypatch, None)
    threads_cannot_start(monkeypatch, mod)
    with pytest.raises(DeviceError, match=r"^cannot start the camera reader thread \(can't start new thread\)$"):
        mod.PropheseeCameraSource()
    assert len(closed) == 1


@pytest.mark.parametrize("fault", ["raises", "stops"])
def test_dv_camera_error_does_not_keep_the_device_open_while_it_is_handled(fault):
    """The pipeline reconnects inside its ``except`` block; the traceback kept read()'s frame
    and with it the dead camera object (the USB handle), even after close()."""
    import weakref

    from evfocus_live.sources.dv_camera import DvCameraSource

    class FakeCam:
        def isRunning(self):
            return fault == "raises"

        def getNextEventBatch(self):
            raise RuntimeError("libusb: LIBUSB_ERROR_IO\nmore")

    src = DvCameraSource.__new__(DvCameraSource)
    src._cam, src.sensor, src.poll_timeout_s = FakeCam(), "DAVIS346_fake", 0.02
    ref = weakref.ref(src._cam)
    try:
        src.read()
    except DeviceError as exc:
        assert ("LIBUSB_ERROR_IO" if fault == "raises" else "disconnected") in str(exc)
        src.close()  # what the pipeline's reconnect does before opening the camera again
        assert ref() is None, "the failed camera is still referenced"
    else:
        pytest.fail("no DeviceError")
    assert src.read() is None


def test_prophesee_read_after_close_ends_the_stream(monkeypatch):
    """After close() read() returned empty batches forever: iterating the source never ended."""
    import sys
    from types import SimpleNamespace

    from evfocus_live.sources import open_source, prophesee_camera

    class Device:
        def properties(self):
            return SimpleNamespace(width=640, height=480)

        def __iter__(self):
            one = np.zeros(1, dtype=[("t", "<u8"), ("x", "<u2"), ("y", "<u2"), ("on", "?")])
            while True:
                time.sleep(0.005)
                yield None, {"dvs_events": one}

    dev = SimpleNamespace(name="prophesee_evk4", serial="7")
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers",
                        SimpleNamespace(list_devices=lambda: [dev], open=lambda serial=None: Device()))
    cam = open_source("prophesee", poll_timeout_s=0.01)
    assert cam.read() is not None
    cam.close()
    cam.close()
    assert cam.read() is None
    with pytest.raises(InputError, match="closed"):  # (iterating a closed source says so: ends too)
        list(cam)


def test_prophesee_driver_error_keeps_its_message(monkeypatch):
    import sys
    from types import SimpleNamespace

    from evfocus_live.sources import open_source, prophesee_camera

    class Device:
        def properties(self):
            return SimpleNamespace(width=640, height=480)

        def __iter__(self):
            raise OSError("USB transfer failed: device unplugged")
            yield  # a generator

    dev = SimpleNamespace(name="prophesee_evk4", serial="7")
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers",
                        SimpleNamespace(list_devices=lambda: [dev], open=lambda serial=None: Device()))
    with open_source("prophesee", poll_timeout_s=0.01) as cam:
        with pytest.raises(DeviceError, match=r"camera error \(OSError: USB transfer failed: device unplugged\)"):
            for _ in range(200):
                cam.read()


def test_dv_batch_drops_negative_and_out_of_sensor_coordinates():
    """dv's x/y are int16: a negative one used to become a pixel near 65535 and was kept."""
    dv = pytest.importorskip("dv_processing")
    from evfocus_live.sources.dv_camera import batch_to_events
    store = dv.EventStore()
    for t, x, y in [(10, 5, 6), (11, -1, 6), (12, 5, -3), (13, 346, 6), (14, 345, 259)]:
        store.push_back(t, x, y, True)
    ev = batch_to_events(store, 346, 260)
    assert ev["t"].tolist() == [10, 14]
    assert ev["x"].tolist() == [5, 345] and ev["y"].tolist() == [6, 259]


def _fake_nd(monkeypatch, life_packets=3, open_error=None):
    """neuromorphic-drivers as it lists an EVK4 (``name`` is an enum) and streams, then unplugs."""
    import enum

    from evfocus_live.sources import prophesee_camera

    class Name(enum.Enum):
        PROPHESEE_EVK4 = "Prophesee EVK4"

    dt = np.dtype([("t", "<u8"), ("x", "<u2"), ("y", "<u2"), ("on", "?")])

    class Dev:
        def properties(self):
            return types.SimpleNamespace(width=1280, height=720)

        def __exit__(self, *a):
            pass

        def __iter__(self):
            for k in range(life_packets):
                a = np.zeros(4, dt)
                a["t"] = 1000 * k + np.arange(4)
                a["x"], a["y"], a["on"] = 5, 6, True
                yield None, {"dvs_events": a}
            raise RuntimeError("LIBUSB_ERROR_NO_DEVICE\ntransfer failed")

    def open_(serial=None, **kw):
        if open_error:
            raise OSError(open_error)
        return Dev()

    nd = types.SimpleNamespace(
        list_devices=lambda: [types.SimpleNamespace(name=Name.PROPHESEE_EVK4, serial="00051501",
                                                    error="permission denied" if open_error else None)],
        open=open_)
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers", nd)
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    return prophesee_camera.PropheseeCameraSource


def test_prophesee_nd_sensor_name_is_the_model_not_the_enum_and_unplug_is_a_device_error(monkeypatch):
    """The sensor (status line, the recording's header) read 'Name.PROPHESEE_EVK4 00051501'."""
    cls = _fake_nd(monkeypatch)
    cam = cls(poll_timeout_s=0.5)
    try:
        assert cam.sensor == "Prophesee EVK4 00051501"
        assert (cam.width, cam.height) == (1280, 720)
        got = []
        with pytest.raises(DeviceError, match=r"^Prophesee EVK4 00051501: camera error \(RuntimeError: "
                                              r"LIBUSB_ERROR_NO_DEVICE\)$"):
            for _ in range(50):
                got.append(cam.read())
        assert sum(len(b) for b in got) == 12  # every event before the unplug was handed on
    finally:
        cam.close()
    assert cam.read() is None


def test_prophesee_nd_open_failure_says_why(monkeypatch):
    """Opening failed with only the exception's type: 'cannot open ... (OSError)'."""
    cls = _fake_nd(monkeypatch, open_error="device busy")
    with pytest.raises(DeviceError) as ei:
        cls()
    assert str(ei.value) == "cannot open Prophesee EVK4 (OSError: device busy; permission denied)"


def test_prophesee_queue_is_bounded_in_events_not_only_in_packets(monkeypatch):
    """256 packets were the only bound: in a burst a packet holds millions of events, and a
    reader that stalled (a slow model, a paused GUI thread) queued gigabytes."""
    import threading

    from evfocus_live.sources import prophesee_camera

    dt = np.dtype([("t", "<u8"), ("x", "<u2"), ("y", "<u2"), ("on", "?")])
    big = np.zeros(100_000, dt)
    done = threading.Event()

    class Dev:
        def properties(self):
            return types.SimpleNamespace(width=1280, height=720)

        def __iter__(self):
            for k in range(100):  # 10 M events while nobody reads
                big["t"] = k
                yield None, {"dvs_events": big}
            done.set()
            while True:
                yield None, None

    use_nd_camera(monkeypatch, Dev)
    cam = prophesee_camera.PropheseeCameraSource(max_buffer_events=1_000_000, poll_timeout_s=0.01)
    try:
        assert done.wait(30)
        got = []
        while True:
            b = cam.read()
            if not len(b):
                break
            got.append(b)
        n = sum(len(b) for b in got)
        assert n <= 1_000_000 and n + cam.dropped_events == 10_000_000, (n, cam.dropped_events)
        assert [int(b["t"][0]) for b in got] == list(range(100 - len(got), 100))  # the newest are kept
    finally:
        cam.close()


def test_prophesee_close_stops_the_reader_on_a_stream_of_empty_packets(monkeypatch):
    """A camera watching a still scene gives packets without events; the reader's filter never
    returned to the pump's stop check, so close() left a thread spinning a core (it slowed
    every later test of the suite to half speed)."""
    import sys
    import threading
    import types

    from evfocus_live.sources import prophesee_camera

    class Dev:
        def properties(self):
            return types.SimpleNamespace(width=64, height=48)

        def __iter__(self):
            while True:
                yield None, None

    from camera_support import use_nd_camera

    use_nd_camera(monkeypatch, Dev)
    cam = prophesee_camera.PropheseeCameraSource(poll_timeout_s=0.01)
    assert len(cam.read()) == 0
    cam.close()
    assert not [t for t in threading.enumerate() if t.name == "prophesee-reader" and t.is_alive()]
