"""A serial-less Prophesee camera taken back by its sensor size (see
``test_a_lost_prophesee_without_serial_is_looked_for_by_size``) was looked for by size again at
every later drop: with two cameras of one size, a listing in another order went on with the
other camera part-way through the recording. The one picked is kept by its serial now. And
neuromorphic-drivers' list named a device without a serial "None", which opened the first
camera, so the second serial-less one was never tried: such a device is left out of the list."""

from __future__ import annotations

import sys
import types

from evfocus_live.sources import prophesee_camera


def _cam(serial, size=(640, 480)):
    return types.SimpleNamespace(is_live=True, format="prophesee", sensor=f"Prophesee {serial or ''}".strip(),
                                 serial=serial, width=size[0], height=size[1], closed=False,
                                 close=lambda: None)


def test_the_camera_picked_by_size_is_opened_again_by_its_serial(monkeypatch):
    from evfocus_live import sources
    from evfocus_live.gui.app import _reopener

    listing = [["00050001", "00050002"]]  # two cameras of the lost one's size
    hal = types.SimpleNamespace(DeviceDiscovery=types.SimpleNamespace(list=lambda: list(listing[0])))
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "metavision")
    monkeypatch.setitem(sys.modules, "metavision_hal", hal)
    monkeypatch.setattr(sources, "open_source", lambda kind, serial=None, **kw: _cam(serial or listing[0][0]))

    reopen = _reopener("auto", _cam(None))
    first = reopen()
    listing[0] = ["00050002", "00050001"]  # listed in another order at the next drop
    second = reopen()
    assert first.serial == "00050001"
    assert second.serial == "00050001"  # (was 00050002: the other camera went on in the recording)


def test_a_listed_device_without_a_serial_is_left_out(monkeypatch):
    devices = [types.SimpleNamespace(name="Prophesee EVK4", serial="00050001"),
               types.SimpleNamespace(name="Prophesee EVK4", serial=None),
               types.SimpleNamespace(name="Prophesee EVK4"),
               types.SimpleNamespace(name="iniVation DAVIS346", serial="DAVIS1")]
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers", types.SimpleNamespace(list_devices=lambda: devices))
    assert prophesee_camera.attached_serials() == ["00050001"]  # (was ['00050001', 'None', ''])
