"""A second Ctrl-C while exit waits for the model's window (``_wait_for_busy_workers``) printed
Python's "Exception ignored in atexit callback" with a traceback: one line now."""

from __future__ import annotations

import logging
import threading

from evfocus_live import pipeline as P


class _Pipe:
    _in_callback = False


def test_ctrl_c_during_the_exit_wait_is_one_line(caplog, monkeypatch):
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, name="evfocus-worker", daemon=True)
    worker.start()
    pipe = _Pipe()
    pipe._threads = [worker]

    def interrupted_join(self, timeout=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(threading.Thread, "join", interrupted_join)
    caplog.set_level(logging.WARNING, logger="evfocus_live")
    try:
        P._wait_for_busy_workers([pipe], limit_s=60.0)  # (raised KeyboardInterrupt before)
    finally:
        monkeypatch.undo()
        stop.set()
        worker.join(5)
    said = [r.getMessage() for r in caplog.records]
    assert any("Ctrl-C" in m for m in said), said
