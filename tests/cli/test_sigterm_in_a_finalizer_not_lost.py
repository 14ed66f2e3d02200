"""A SIGTERM that came while a ``__del__`` ran (the garbage collector closing a reader) raised
its KeyboardInterrupt there, where Python prints "Exception ignored" and drops it: ``evfocus
bench`` then ran on to its end and exited 0. It is now handled again once the finalizer is
done, and the run stops as for any SIGTERM."""

from __future__ import annotations

import gc
import signal
import time

import pytest

from evfocus_live.cli.signals import run_with_sigterm_as_ctrl_c


class _TermOnDelete:
    def __del__(self):
        signal.raise_signal(signal.SIGTERM)  # (this thread's: os.kill's could reach the handler later, outside)
        for _ in range(10_000):  # (bytecode: the handler runs here, inside the finalizer)
            pass


def _work() -> int:
    _TermOnDelete()
    gc.collect()
    deadline = time.monotonic() + 20  # (a bound, not a measure: the old code ran it out)
    while time.monotonic() < deadline:
        time.sleep(0.005)
    return 0


def test_a_sigterm_in_a_finalizer_still_stops_the_run():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        run_with_sigterm_as_ctrl_c(_work)
    assert signal.getsignal(signal.SIGTERM) == before
