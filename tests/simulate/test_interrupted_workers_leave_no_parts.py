"""``evfocus simulate --workers 2`` stopped by Ctrl-C left each busy worker's ``seq_XXXXX.h5.part``
and ``.aedat4.part`` beside the whole sequences (the pool's exit killed the workers mid-write, so
no writer removed them), and a worker that got the terminal's SIGINT printed a KeyboardInterrupt
traceback. The workers now leave SIGINT to the parent, which removes what they left unfinished."""

from __future__ import annotations

import multiprocessing
import signal

import pytest

from evfocus_live.simulate import sequence
from evfocus_live.simulate.sequence import SimConfig, simulate_dataset


class _StoppedPool:
    """A pool whose first sequence is finished and whose next two are mid-write at Ctrl-C."""

    def __init__(self, *a, **k):
        self.terminated = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.terminate()

    def terminate(self):
        self.terminated = True

    def imap(self, func, jobs):
        _cfg, _seed, base, *_ = jobs[0]
        for suffix in (".h5", ".aedat4"):
            base.with_suffix(suffix).write_bytes(b"whole")
        yield {"events": 1, "bytes": 10}
        for _cfg, _seed, base, *_ in jobs[1:3]:
            for suffix in (".h5.part", ".aedat4.part"):
                base.with_name(base.name + suffix).write_bytes(b"half")
        raise KeyboardInterrupt


class _Ctx:
    Pool = _StoppedPool


def test_ctrl_c_with_workers_leaves_only_whole_sequences(tmp_path, monkeypatch):
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: _Ctx)
    with pytest.raises(KeyboardInterrupt):
        simulate_dataset(SimConfig(duration_s=0.05, width=32, height=24), tmp_path, sequences=5, seed=0,
                         workers=2, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seq_00000.aedat4", "seq_00000.h5"]


def test_pool_workers_leave_sigint_to_the_parent():
    before = signal.getsignal(signal.SIGINT)
    try:
        sequence._worker_init(True)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_the_one_process_run_keeps_ctrl_c():
    before = signal.getsignal(signal.SIGINT)
    try:
        sequence._worker_init()
        assert signal.getsignal(signal.SIGINT) is before
    finally:
        signal.signal(signal.SIGINT, before)
