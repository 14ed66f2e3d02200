"""Ctrl-C in the first seconds of ``evfocus simulate --workers 2`` (the terminal sends SIGINT to
every process of its group) printed a KeyboardInterrupt traceback from each worker: a spawned
worker imports evfocus_live before its initializer ignores SIGINT. The pool now starts with
SIGINT blocked, a mask its workers and threads inherit; the parent gets the Ctrl-C after."""

from __future__ import annotations

import multiprocessing
import signal

import pytest

from evfocus_live.simulate.sequence import SimConfig, simulate_dataset

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")


class _Pool:
    blocked_at_start: set = set()

    def __init__(self, *a, **k):
        _Pool.blocked_at_start = signal.pthread_sigmask(signal.SIG_BLOCK, [])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def imap(self, func, jobs):
        return iter([{"events": 0, "bytes": 0}] * len(jobs))


class _Ctx:
    Pool = _Pool


def test_the_pool_starts_with_sigint_blocked_and_the_parent_gets_it_back(tmp_path, monkeypatch):
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: _Ctx)
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    simulate_dataset(SimConfig(duration_s=0.05, width=32, height=24), tmp_path, sequences=2, seed=0,
                     workers=2, progress=False)
    assert signal.SIGINT in _Pool.blocked_at_start
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
