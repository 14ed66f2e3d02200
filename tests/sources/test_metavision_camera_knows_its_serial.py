"""A Prophesee camera opened via Metavision without a serial was named "Prophesee" and had no
serial: lost in a headless run (``--camera auto`` or ``prophesee``), it was opened again as the
first Prophesee found, and with two of one model attached the other one went on in the lost
one's recording (same name, same size). Its serial is now read from the device (HAL's hardware
identification), so it is named by it and opened again by it."""

from __future__ import annotations

import sys
import threading
import types

import numpy as np
import pytest


def _metavision(monkeypatch, serial_of_device):
    from evfocus_live.sources import prophesee_camera

    end = threading.Event()
    ev = np.zeros(5, dtype=[("x", "<u2"), ("y", "<u2"), ("p", "<i2"), ("t", "<i8")])

    class Ident:
        def get_serial(self):
            return serial_of_device

    class Device:
        def get_i_hw_identification(self):
            return Ident()

    class Reader:
        device = Device()

        def __exit__(self, *exc):
            end.set()

    class EventsIterator:
        def __init__(self, input_path, **kw):
            self.reader, self.input_path = Reader(), input_path

        def get_size(self):
            return (480, 640)

        def __iter__(self):
            yield ev
            end.wait(30.0)

    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "metavision")
    monkeypatch.setitem(sys.modules, "metavision_core", types.SimpleNamespace())
    monkeypatch.setitem(sys.modules, "metavision_core.event_io", types.SimpleNamespace(EventsIterator=EventsIterator))
    return prophesee_camera, end


def test_a_metavision_camera_opened_without_a_serial_knows_its_own(monkeypatch):
    mod, end = _metavision(monkeypatch, "00051501")
    cam = mod.PropheseeCameraSource()
    try:
        assert cam.serial == "00051501" and cam.sensor == "Prophesee 00051501"
    finally:
        end.set()
        cam.close()


@pytest.mark.parametrize("spec", ["auto", "prophesee"])
def test_a_lost_metavision_camera_is_opened_again_by_its_serial(monkeypatch, spec):
    from evfocus_live import sources
    from evfocus_live.gui.app import _reopener

    mod, end = _metavision(monkeypatch, "00051501")
    cam = mod.PropheseeCameraSource()
    asked = []

    def open_again(kind, serial=None, **kw):
        asked.append((kind, serial))
        return cam

    monkeypatch.setattr(sources, "open_source", open_again)
    try:
        assert _reopener(spec, cam)() is cam
        assert asked == [("prophesee", "00051501")]
    finally:
        end.set()
        cam.close()


def test_a_device_that_does_not_say_its_serial_is_named_as_before(monkeypatch):
    mod, end = _metavision(monkeypatch, "")
    cam = mod.PropheseeCameraSource()
    try:
        assert cam.serial is None and cam.sensor == "Prophesee"
    finally:
        end.set()
        cam.close()
