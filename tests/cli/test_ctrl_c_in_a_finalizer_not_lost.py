"""A Ctrl-C whose KeyboardInterrupt Python's handler raised inside a finalizer (a ``__del__``, a
``weakref.finalize`` or bare ``weakref.ref`` callback run by the garbage collector) was dropped
("Exception ignored"): ``evfocus bench``, ``simulate``, ``eval``, ``train`` and ``reconstruct``
ran on to their end. It is now handled again once the finalizer is done, as a SIGTERM was, by
the same code; the handlers there were are put back afterwards."""

from __future__ import annotations

import gc
import signal
import sys
import time
import weakref

import pytest

from evfocus_live.cli.signals import run_with_sigterm_as_ctrl_c


@pytest.fixture(autouse=True)
def _python_sigint():
    """Python's own Ctrl-C handler, whatever the test runner put there."""
    prev = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, prev)


def _ctrl_c_here() -> None:
    signal.raise_signal(signal.SIGINT)  # (this thread's: the handler runs in the loop below)
    for _ in range(10_000):
        pass


def _until_stopped(bound_s: float = 5.0) -> int:
    deadline = time.monotonic() + bound_s  # (a bound, not a measure: the old code ran it out)
    while time.monotonic() < deadline:
        time.sleep(0.005)
    return 0


class _CtrlCOnDelete:
    def __del__(self):
        _ctrl_c_here()


class _Thing:
    pass


def _in_del() -> int:
    _CtrlCOnDelete()
    gc.collect()
    return _until_stopped()


def _in_finalize() -> int:
    thing = _Thing()
    weakref.finalize(thing, _ctrl_c_here)
    del thing
    return _until_stopped()


def _in_weakref_callback() -> int:
    thing = _Thing()
    ref = weakref.ref(thing, lambda _ref: _ctrl_c_here())
    del thing
    gc.collect()
    _until_stopped()
    del ref
    return 0


def _in_del_as_it_returns() -> int:
    _CtrlCOnDelete()
    return 0


@pytest.mark.parametrize("work", [_in_del, _in_finalize, _in_weakref_callback, _in_del_as_it_returns])
def test_a_ctrl_c_in_a_finalizer_still_stops_the_run(work):
    before_handler, before_hook = signal.getsignal(signal.SIGINT), sys.unraisablehook
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_with_sigterm_as_ctrl_c(work)
    assert time.monotonic() - t0 < 4.0  # stopped, not run out (5 s)
    assert signal.getsignal(signal.SIGINT) is before_handler
    assert sys.unraisablehook is before_hook


def test_a_ctrl_c_outside_finalizers_goes_to_the_handler_there_was():
    seen = []

    def noting(signum, frame):  # (as the CLI's: notes the Ctrl-C, then Python's handler)
        seen.append(signum)
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, noting)

    def work() -> int:
        _ctrl_c_here()
        return _until_stopped()

    with pytest.raises(KeyboardInterrupt):
        run_with_sigterm_as_ctrl_c(work)
    assert seen == [signal.SIGINT]
    assert signal.getsignal(signal.SIGINT) is noting


def test_an_ignored_ctrl_c_stays_ignored():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # (nohup, a background job)

    def work() -> int:
        _ctrl_c_here()
        return 7

    assert run_with_sigterm_as_ctrl_c(work) == 7
