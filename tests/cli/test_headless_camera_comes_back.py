"""A headless live capture whose camera drops off the USB bus for a moment ended there, exit 2,
while the Python ``Pipeline`` reconnects. It now opens the camera again (as the pipeline does,
with back-off) and records on: one file, its time going forward across the new camera's clock,
which starts again at 0 (a Prophesee's does); exit 0 at its own end (here SIGTERM)."""

from __future__ import annotations

import logging
import os
import signal
import time

import numpy as np
import pytest

from evfocus_live.errors import DeviceError
from evfocus_live.events import EVENT_DTYPE, from_arrays
from evfocus_live.sources import open_file
from evfocus_live.sources.base import EventSource

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class UsbCam(EventSource):
    """A 64x48 camera: ``reads`` batches of 2000 events (5 ms apart, its clock from 0), then
    ``end`` (raise: unplugged; or SIGTERM to the process: the user's end)."""

    format, sensor, is_live = "davis346", "DAVIS346_00000001", True
    width, height = 64, 48

    def __init__(self, reads: int, end: str):
        self.reads, self.end, self.n, self.given = reads, end, 0, 0

    def read(self):
        time.sleep(0.005)
        if self.n >= self.reads:
            if self.end == "unplug":
                raise DeviceError(f"{self.sensor}: camera disconnected")
            if self.n == self.reads:
                os.kill(os.getpid(), signal.SIGTERM)
            self.n += 1
            return np.empty(0, EVENT_DTYPE)
        t = self.n * 5000 + np.arange(2000) * 2
        self.n += 1
        self.given += 2000
        return from_arrays(t, t % 64, (t // 64) % 48, t % 2)

    def close(self):
        pass


def capture(cam, open_again, tiny_ckpt, tmp_path, caplog, monkeypatch):
    """``evfocus-live --camera davis346 --headless --record``, opening ``cam`` and, after a
    fault, ``open_again(spec)``: (exit code, what was said, the recording's path)."""
    from evfocus_live import sources
    from evfocus_live.gui import app, session

    monkeypatch.setattr(session, "open_with_fallback", lambda spec, msgs, fallback=True: cam)
    monkeypatch.setattr(sources, "open_source", open_again)
    rec = tmp_path / "run.aedat4"
    with caplog.at_level(logging.INFO):
        rc = app.main(["--camera", "davis346", "--headless", "--model", str(tiny_ckpt), "--post", "none",
                       "--window-events", "800", "--record", str(rec), "--exit-after", "120"])
    return rc, [r.getMessage() for r in caplog.records], rec


def test_a_headless_capture_goes_on_after_the_camera_comes_back(tiny_ckpt, tmp_path, caplog, monkeypatch):
    first, second = UsbCam(40, "unplug"), UsbCam(40, "term")
    tries = []

    def open_again(spec, **kw):  # the camera is away for two tries, then back
        tries.append(spec)
        if len(tries) <= 2:
            raise DeviceError("no davis346 attached")
        return second
    rc, said, rec = capture(first, open_again, tiny_ckpt, tmp_path, caplog, monkeypatch)
    assert rc == 0, said[-10:]
    assert tries[:3] == ["davis346"] * 3 and any("source reconnected" in m for m in said), said
    with open_file(rec) as src:
        t = np.concatenate([b["t"] for b in src])
    assert len(t) == first.given + second.given  # (both cameras' events, in one file)
    assert (np.diff(t) >= 0).all()  # the new camera's clock from 0: written on after the first's


def test_a_camera_that_does_not_come_back_ends_the_run_with_exit_2(tiny_ckpt, tmp_path, caplog, monkeypatch):
    from evfocus_live.gui import app

    def never(spec, **kw):
        raise DeviceError("no davis346 attached")
    monkeypatch.setattr(app, "HEADLESS_RECONNECT_S", 0.5)  # (the real one is 30 s)
    rc, said, rec = capture(UsbCam(20, "unplug"), never, tiny_ckpt, tmp_path, caplog, monkeypatch)
    assert rc == 2
    assert any(m.startswith("the davis346 camera has not come back within 0.5 s: source error: DAVIS346_00000001: "
                            "camera disconnected") for m in said), said[-10:]
    with open_file(rec) as src:  # (what it recorded is kept, finalised)
        assert sum(len(b) for b in src) == 20 * 2000
