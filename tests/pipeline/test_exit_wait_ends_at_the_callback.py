"""Exit waits for a worker inside the model's window, not for the on_frame callback its
frame goes to next: a script's callback waiting for what never comes (a full queue whose
reader has ended) held the exit for the whole 120 s once the window was done."""

from __future__ import annotations

import threading

from evfocus_live import pipeline


class _Pipe:
    """What the exit wait looks at: the worker thread and whether it is in on_frame."""

    def __init__(self):
        self._in_callback = False
        self.model_done = threading.Event()
        self.release = threading.Event()
        self._threads = [threading.Thread(target=self._work, name="evfocus-worker", daemon=True)]
        self._threads[0].start()

    def _work(self):
        self.model_done.wait(30)  # the model's window
        self._in_callback = True  # then its frame to on_frame, which never returns
        self.release.wait(60)


def test_exit_wait_stops_waiting_when_the_window_is_done():
    pipe = _Pipe()
    waiter = threading.Thread(target=pipeline._wait_for_busy_workers, args=([pipe],), kwargs={"limit_s": 60.0},
                              daemon=True)
    try:
        waiter.start()
        pipe.model_done.set()
        waiter.join(20)  # (a guard only: it returns as soon as the worker is in the callback)
        assert not waiter.is_alive(), "exit went on waiting for an on_frame callback that never returns"
    finally:
        pipe.release.set()
