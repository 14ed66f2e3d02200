"""``evfocus reconstruct a b --jobs 2``: a Ctrl-C while the spawned workers still imported (before
their initializer ignores SIGINT; the terminal sends it to the whole group) printed a
KeyboardInterrupt traceback per worker. The workers now start with SIGINT blocked, as
``evfocus simulate --workers``' do; the parent gets the Ctrl-C once they are started."""

from __future__ import annotations

import concurrent.futures
import signal

import pytest

from evfocus_live.cli import reconstruct

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")


class _Done:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


class _Executor:
    blocked_at_submit: list = []

    def __init__(self, *a, **k):
        pass

    def submit(self, fn, inp, *a):
        _Executor.blocked_at_submit.append(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))
        return _Done((inp, 1, None, ""))

    def shutdown(self, *a, **k):
        pass


def test_workers_start_with_sigint_blocked(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", _Executor)
    monkeypatch.setattr(concurrent.futures, "as_completed", lambda futs: list(futs))
    monkeypatch.setattr("evfocus_live.nn.registry.load_model", lambda *a, **k: None)
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    rc = reconstruct._run_parallel(["a.h5", "b.h5"], [tmp_path / "a", tmp_path / "b"],
                                   {"device": "cpu", "model": "evfocus"}, 2)
    assert rc == 0
    assert _Executor.blocked_at_submit == [True, True]
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
