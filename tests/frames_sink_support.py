"""Helpers the tests of headless ``--frames-dir``'s writer (``app._FrameSink``) share: a frame
as the session hands it over, and a ``_write_png`` held until the test lets the disk go on."""

from __future__ import annotations

import threading

import numpy as np

from evfocus_live.cli import reconstruct
from evfocus_live.gui.session import FrameView


def frame_view(index: int) -> FrameView:
    return FrameView(index=index, t_us=1000 * (index + 1), n_events=10, image=np.full((6, 8), index, np.uint8),
                     event_image=None, defocus=None, defocus_mean_px=None, infer_ms=1.0, t_done=0.0)


class HeldDisk:
    """``reconstruct._write_png`` that waits for ``go`` (set by the test) before writing; the
    threads that wrote are kept in ``threads``. ``started`` is set once a write has begun."""

    def __init__(self, monkeypatch):
        self.go, self.started = threading.Event(), threading.Event()
        self.threads: list[str] = []
        real = reconstruct._write_png

        def held(path, img):
            self.threads.append(threading.current_thread().name)
            self.started.set()
            if not self.go.wait(30.0):  # (a guard against a hang, not a timing)
                raise AssertionError("the test never let the disk go on")
            real(path, img)

        monkeypatch.setattr(reconstruct, "_write_png", held)
