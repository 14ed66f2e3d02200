"""A Prophesee camera opened via Metavision without a serial was named "Prophesee" and had no
serial: lost in a headless run (``--camera auto`` or ``prophesee``), it was opened again as the
first Prophesee found, and with two of one model attached the other one went on in the lost
one's recording (same name, same size). Its serial is now read from the device (HAL's hardware
identification), so it is named by it and opened again by it."""

from __future__ import annotations

import threading
import types

import pytest
from metavision_support import SLICE, use_metavision


@pytest.fixture
def camera(monkeypatch, request):
    """A Metavision camera whose device says ``request.param`` as its serial."""
    end = threading.Event()
    ident = types.SimpleNamespace(get_serial=lambda: request.param)

    class Reader:
        device = types.SimpleNamespace(get_i_hw_identification=lambda: ident)

        def __exit__(self, *exc):
            end.set()

    def slices(it):
        yield SLICE
        end.wait(30.0)

    cam = use_metavision(monkeypatch, Reader, slices).PropheseeCameraSource()
    yield cam
    end.set()
    cam.close()


@pytest.mark.parametrize("camera", ["00051501"], indirect=True)
def test_a_metavision_camera_opened_without_a_serial_knows_its_own(camera):
    assert camera.serial == "00051501" and camera.sensor == "Prophesee 00051501"


@pytest.mark.parametrize("camera", ["00051501"], indirect=True)
@pytest.mark.parametrize("spec", ["auto", "prophesee"])
def test_a_lost_metavision_camera_is_opened_again_by_its_serial(monkeypatch, camera, spec):
    from evfocus_live import sources
    from evfocus_live.gui.app import _reopener

    asked = []

    def open_again(kind, serial=None, **kw):
        asked.append((kind, serial))
        return camera

    monkeypatch.setattr(sources, "open_source", open_again)
    assert _reopener(spec, camera)() is camera
    assert asked == [("prophesee", "00051501")]


@pytest.mark.parametrize("camera", [""], indirect=True)
def test_a_device_that_does_not_say_its_serial_is_named_as_before(camera):
    assert camera.serial is None and camera.sensor == "Prophesee"
