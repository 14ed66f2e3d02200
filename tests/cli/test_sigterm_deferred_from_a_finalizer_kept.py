"""A SIGTERM that comes while a finalizer runs is handled again after it; three ways it was
still lost or mishandled: in a ``weakref.finalize`` callback (not a ``__del__``: "Exception
ignored" and the run went on); inside a finalizer just before the run returned (the retry came
after the handler was put back, and did nothing: exit 0); and a second SIGTERM while the first
waited did not kill, as the docstring promises."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pytest

from evfocus_live.cli.signals import run_with_sigterm_as_ctrl_c


def _term_self() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(10_000):  # (bytecode: the handler runs here, inside the finalizer)
        pass


class _Owner:
    pass


def _until_stopped() -> int:
    deadline = time.monotonic() + 20  # (a bound, not a measure: the old code ran it out)
    while time.monotonic() < deadline:
        time.sleep(0.005)
    return 0


def _finalize_then_wait() -> int:
    owner = _Owner()
    weakref.finalize(owner, _term_self)
    del owner
    return _until_stopped()


class _TermOnDelete:
    def __del__(self):
        _term_self()


def _finalizer_then_return() -> int:
    _TermOnDelete()
    return 0


def test_a_sigterm_in_a_weakref_finalize_callback_still_stops_the_run():
    with pytest.raises(KeyboardInterrupt):
        run_with_sigterm_as_ctrl_c(_finalize_then_wait)


def test_a_sigterm_in_a_finalizer_as_the_run_returns_is_not_lost():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        run_with_sigterm_as_ctrl_c(_finalizer_then_return)
    assert signal.getsignal(signal.SIGTERM) == before


_TWICE = """
import os, signal, time
from evfocus_live.cli.signals import run_with_sigterm_as_ctrl_c

class Twice:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(10_000):
            pass
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(10_000):
            pass

def work():
    Twice()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        time.sleep(0.005)
    return 0

try:
    run_with_sigterm_as_ctrl_c(work)
except KeyboardInterrupt:
    print("interrupted, not killed")
"""


def test_a_second_sigterm_while_the_first_waits_on_a_finalizer_kills():
    done = subprocess.run([sys.executable, "-c", _TWICE], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert done.returncode == -signal.SIGTERM, done.stdout + done.stderr
