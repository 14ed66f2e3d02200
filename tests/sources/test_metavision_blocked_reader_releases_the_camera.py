"""A Metavision reader thread blocked inside the driver (OpenEB's poll_buffer() waits for data)
when the camera is closed: close() waited 1 s, then left the camera unreleased (the next open
found it busy) until the process ended. It is released now after the wait (the reader's exit
stops the stream, which ends such a wait), the thread given a moment, said once if it stays
inside; close() never hangs."""

from __future__ import annotations

import logging
import sys
import threading
import types

import numpy as np
import pytest


def _blocking_metavision(monkeypatch, wakes: bool):
    """An OpenEB-like EventsIterator that gives one slice, then blocks in the "driver" until its
    reader's exit stops the stream (``wakes``) or, for a driver call that ignores it, until the test ends."""
    from evfocus_live.sources import prophesee_camera

    released, inside, stream_stopped, end = [], threading.Event(), threading.Event(), threading.Event()

    class Reader:
        def __exit__(self, *exc):
            released.append(exc)
            if wakes:
                stream_stopped.set()

    ev = np.zeros(5, dtype=[("x", "<u2"), ("y", "<u2"), ("p", "<i2"), ("t", "<i8")])

    class EventsIterator:
        def __init__(self, input_path, **kw):
            self.reader = Reader()

        def get_size(self):
            return (480, 640)

        def __iter__(self):
            yield ev
            inside.set()
            while not (stream_stopped.is_set() or end.is_set()):
                stream_stopped.wait(0.01)
            raise RuntimeError("stream stopped")

    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "metavision")
    monkeypatch.setitem(sys.modules, "metavision_core", types.SimpleNamespace())
    monkeypatch.setitem(sys.modules, "metavision_core.event_io", types.SimpleNamespace(EventsIterator=EventsIterator))
    return prophesee_camera, released, inside, end


@pytest.mark.parametrize("wakes", [True, False])
def test_close_releases_a_metavision_camera_whose_reader_is_blocked(monkeypatch, caplog, wakes):
    mod, released, inside, end = _blocking_metavision(monkeypatch, wakes)
    cam = mod.PropheseeCameraSource(poll_timeout_s=0.5)
    try:
        assert len(cam.read()) == 5
        assert inside.wait(30.0)  # the reader thread is in the driver, waiting for data
        with caplog.at_level(logging.DEBUG, logger=mod.__name__):
            cam.close()
            cam.close()  # (safe twice, said once)
        assert len(released) == 1  # released although its thread was inside the driver
        said = [r.getMessage() for r in caplog.records if "still inside the driver" in r.getMessage()]
        if wakes:  # the stopped stream ended the wait: the thread came out
            assert not cam._thread.is_alive() and not said, said
        else:  # one that stays inside is said once, and left (a daemon thread: no hang at exit)
            assert cam._thread.is_alive() and cam._thread.daemon
            assert len(said) == 1 and [r.levelno for r in caplog.records if r.getMessage() in said] == [logging.WARNING]
        assert cam.read() is None
    finally:
        end.set()
        cam._thread.join(5.0)
