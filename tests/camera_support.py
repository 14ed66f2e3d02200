"""Mocked camera SDKs (neuromorphic-drivers) and a thread that cannot start, for the live-camera tests."""

from __future__ import annotations

import sys
import types


def use_nd_camera(monkeypatch, dev_cls) -> None:
    """neuromorphic-drivers, mocked: one EVK4 listed, opened as ``dev_cls()``."""
    from evfocus_live.sources import prophesee_camera

    listed = [types.SimpleNamespace(name="prophesee_evk4", serial="1")]
    monkeypatch.setitem(sys.modules, "neuromorphic_drivers",
                        types.SimpleNamespace(list_devices=lambda: listed, open=lambda serial=None: dev_cls()))
    monkeypatch.setattr(prophesee_camera, "_backend", lambda: "neuromorphic_drivers")


def threads_cannot_start(monkeypatch, mod) -> None:
    """The camera module ``mod`` sees a ``threading`` whose threads fail to start (only its
    view of it: other threads are unaffected)."""
    import threading

    class NoThread:
        def __init__(self, *a, **kw):
            pass

        def start(self):
            raise RuntimeError("can't start new thread")

    monkeypatch.setattr(mod, "threading", types.SimpleNamespace(
        Thread=NoThread, Event=threading.Event, Lock=threading.Lock, current_thread=threading.current_thread))
