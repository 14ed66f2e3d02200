"""A SIGTERM whose handler ran inside a bare ``weakref.ref`` callback (``WeakSet``'s, run by the
garbage collector: seen on CI) raised its KeyboardInterrupt there, where Python prints
"Exception ignored" and drops it; no frame tells such a callback apart, so the run went on to its
end. The dropped interrupt is now taken back (``sys.unraisablehook``) and the run stops as for
any SIGTERM; other dropped exceptions still go to the hook there was."""

from __future__ import annotations

import gc
import signal
import sys
import time
import weakref

import pytest

from evfocus_live.cli.signals import run_with_sigterm_as_ctrl_c


class _Thing:
    pass


def _term_in_callback(_ref) -> None:
    signal.raise_signal(signal.SIGTERM)  # (this thread's: the handler runs in the loop below)
    for _ in range(10_000):
        pass


def _work(bound_s: float = 5.0) -> int:
    thing = _Thing()
    ref = weakref.ref(thing, _term_in_callback)
    del thing  # (the callback runs now, from the deallocation)
    gc.collect()
    deadline = time.monotonic() + bound_s  # (a bound, not a measure: the old code ran it out)
    while time.monotonic() < deadline:
        time.sleep(0.005)
    del ref
    return 0


def test_a_sigterm_in_a_weakref_callback_still_stops_the_run():
    before_handler, before_hook = signal.getsignal(signal.SIGTERM), sys.unraisablehook
    with pytest.raises(KeyboardInterrupt):
        run_with_sigterm_as_ctrl_c(_work)
    assert signal.getsignal(signal.SIGTERM) == before_handler
    assert sys.unraisablehook is before_hook


def test_other_dropped_exceptions_still_reach_the_hook_there_was(monkeypatch):
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)

    def drop_value_error():
        class _Bad:
            def __del__(self):
                raise ValueError("from a finalizer")
        _Bad()
        return 0

    assert run_with_sigterm_as_ctrl_c(drop_value_error) == 0
    assert [type(u.exc_value) for u in seen] == [ValueError]
