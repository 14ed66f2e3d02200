"""Metavision (OpenEB) mocked as the Prophesee backend, for the live-camera tests."""

from __future__ import annotations

import sys
import types

import numpy as np

#: one slice of a Metavision camera's events (its dtype)
SLICE = np.zeros(5, dtype=[("x", "<u2"), ("y", "<u2"), ("p", "<i2"), ("t", "<i8")])


def use_metavision(monkeypatch, reader_cls, slices):
    """Metavision as the backend: its ``EventsIterator`` a 640x480 camera whose ``reader`` is
    ``reader_cls()`` and whose iteration is ``slices(it)`` (a generator); the module returned."""
    from evfocus_live.sources import prophesee_camera

    class EventsIterator:
        def __init__(self, input_path, **kw):
            self.reader, self.input_path = reader_cls(), input_path

        def get_size(self):
            return (480, 640)

        def __iter__(self):
            return slices(self)

    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "metavision")
    monkeypatch.setitem(sys.modules, "metavision_core", types.SimpleNamespace())
    monkeypatch.setitem(sys.modules, "metavision_core.event_io", types.SimpleNamespace(EventsIterator=EventsIterator))
    return prophesee_camera
