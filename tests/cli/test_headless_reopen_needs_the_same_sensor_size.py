"""A headless run takes a lost camera back only if it is the same one. A Prophesee opened
without a serial is named "Prophesee" whatever its sensor, so a 640x480 one swapped for a
1280x720 one was taken back: its events went on into a recording made for 640x480 (past
its sensor size: readers refuse such events). A camera of another size is now refused as
another camera is: the run ends after its reconnect time, exit 2, the file as it was."""

from __future__ import annotations

import logging
import time

import numpy as np
import pytest

from evfocus_live.errors import DeviceError
from evfocus_live.events import EVENT_DTYPE, from_arrays
from evfocus_live.sources import open_file
from evfocus_live.sources.base import EventSource

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class Prophesee(EventSource):
    """A Prophesee camera of ``width`` x ``height`` named as one opened without a serial:
    ``reads`` batches of 1000 events on its whole sensor, then unplugged."""

    format, sensor, is_live = "prophesee", "Prophesee", True

    def __init__(self, width: int, height: int, reads: int = 30):
        self.width, self.height, self.reads, self.n = width, height, reads, 0

    def read(self):
        time.sleep(0.005)
        if self.n >= self.reads:
            raise DeviceError(f"{self.sensor}: camera disconnected")
        t = self.n * 5000 + np.arange(1000) * 5
        self.n += 1
        return from_arrays(t, (t * 7) % self.width, (t * 3) % self.height, t % 2)

    def close(self):
        pass


def test_a_camera_of_another_size_is_not_taken_back(tiny_ckpt, tmp_path, caplog, monkeypatch):
    from evfocus_live import sources
    from evfocus_live.gui import app, session

    first = Prophesee(640, 480)
    monkeypatch.setattr(session, "open_with_fallback", lambda spec, msgs, fallback=True: first)
    monkeypatch.setattr(sources, "open_source", lambda spec, **kw: Prophesee(1280, 720, reads=10**6))
    monkeypatch.setattr(app, "HEADLESS_RECONNECT_S", 1.0)  # (the real one is 30 s)
    rec = tmp_path / "run.aedat4"
    with caplog.at_level(logging.DEBUG):
        rc = app.main(["--camera", "prophesee", "--headless", "--model", str(tiny_ckpt), "--post", "none",
                       "--window-events", "800", "--record", str(rec), "--exit-after-s", "60"])
    said = [r.getMessage() for r in caplog.records]
    assert rc == 2, said[-10:]
    assert not any("source reconnected" in m for m in said), said[-10:]
    assert any("found a 1280x720 Prophesee, not the lost 640x480 one" in m for m in said), said[-20:]
    with open_file(rec) as src:
        assert (src.width, src.height) == (640, 480)
        ev = np.concatenate([b for b in src] or [np.empty(0, EVENT_DTYPE)])
    assert len(ev) == first.reads * 1000
    assert ev["x"].max() < 640 and ev["y"].max() < 480
