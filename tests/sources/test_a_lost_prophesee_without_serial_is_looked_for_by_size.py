"""A Prophesee camera that did not report its serial (Metavision's HAL without one) was taken back
after a drop (``--camera auto`` or ``prophesee``) as the first Prophesee found: with another one
attached first, of another size, the run never got its camera back ("found a 1280x720 ...");
of the same size, the other one went on in its recording without a word. Now, among several
attached, the first with the lost one's sensor size is taken, and that it cannot be told apart
is said once, in one line."""

from __future__ import annotations

import logging
import sys
import types

import pytest

from evfocus_live.errors import DeviceError

SIZES = {"00050001": (1280, 720), "00050002": (640, 480)}  # attached, in the order listed


def _cam(serial, size):
    return types.SimpleNamespace(is_live=True, format="prophesee", sensor=f"Prophesee {serial or ''}".strip(),
                                 serial=serial, width=size[0], height=size[1], closed=False,
                                 close=lambda: None)


@pytest.fixture
def attached(monkeypatch):
    """Two Prophesee cameras on Metavision; ``open_source`` opens them by serial (None: the first)."""
    from evfocus_live import sources
    from evfocus_live.sources import prophesee_camera

    hal = types.SimpleNamespace(DeviceDiscovery=types.SimpleNamespace(list=lambda: list(SIZES)))
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "metavision")
    monkeypatch.setitem(sys.modules, "metavision_hal", hal)
    opened = []

    def open_source(kind, serial=None, **kw):
        serial = serial or next(iter(SIZES))
        opened.append(serial)
        return _cam(serial, SIZES[serial])

    monkeypatch.setattr(sources, "open_source", open_source)
    return opened


@pytest.mark.parametrize("spec", ["auto", "prophesee"])
def test_the_lost_cameras_size_is_looked_for_and_the_doubt_said_once(attached, caplog, spec):
    from evfocus_live.gui.app import _reopener

    lost = _cam(None, (640, 480))
    reopen = _reopener(spec, lost)
    with caplog.at_level(logging.INFO):
        got = reopen()
        again = reopen()
    assert (got.serial, got.width, got.height) == ("00050002", 640, 480)  # (was: DeviceError, the 1280x720 one)
    assert again.serial == "00050002"
    said = [r.getMessage() for r in caplog.records if "did not report its serial" in r.getMessage()]
    assert len(said) == 1 and "2 are attached" in said[0] and "00050001, 00050002" in said[0]


def test_none_of_the_size_is_a_device_error(attached):
    from evfocus_live.gui.app import _reopener

    with pytest.raises(DeviceError, match="none of the 2 Prophesee cameras attached has the lost one's 320x240"):
        _reopener("auto", _cam(None, (320, 240)))()
