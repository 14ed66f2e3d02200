"""A Ctrl-C that came in a finalizer is sent again ~10 ms later by a timer thread. When that retry
fired just as ``run_with_sigterm_as_ctrl_c`` put the handlers there were back, their
KeyboardInterrupt was raised inside its clean-up, before the deferred state was cleared: the
run stopped once (right), but the Ctrl-C stayed "owed", and the next run in the process (tests
and programs call ``main()`` again) ended at once in KeyboardInterrupt, exit 130, though no
Ctrl-C came. The retries are now cancelled before the handlers go back, and each outermost run
starts with none owed."""

from __future__ import annotations

import signal

import pytest

from evfocus_live.cli import signals


@pytest.fixture(autouse=True)
def _python_sigint():
    prev = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, prev)
    for state in signals._deferred.values():  # (whatever this test left)
        if state.timer is not None:
            state.timer.cancel()
        state.owed = state.resent = False
        state.timer = state.raised = None


class _CtrlCOnDelete:
    def __del__(self):
        signal.raise_signal(signal.SIGINT)


def _ctrl_c_in_a_finalizer_as_it_returns() -> int:
    _CtrlCOnDelete()
    return 0


def test_a_retry_firing_as_the_handlers_go_back_is_not_left_for_the_next_run(monkeypatch):
    restore = signals._restore

    def restore_as_the_retry_fires(handlers):
        restore(handlers)
        state = signals._deferred[signal.SIGINT]
        if state.timer is not None:  # its thread runs now (the 10 ms are up just then)
            state.timer.cancel()
            state.timer.function()

    monkeypatch.setattr(signals, "_restore", restore_as_the_retry_fires)
    stops = 0
    try:
        try:
            signals.run_with_sigterm_as_ctrl_c(_ctrl_c_in_a_finalizer_as_it_returns)
        except KeyboardInterrupt:
            stops += 1
        sum(range(100))  # (a pending one is raised here)
    except KeyboardInterrupt:
        stops += 1
    monkeypatch.undo()
    assert stops == 1
    try:  # the next run: no Ctrl-C came
        assert signals.run_with_sigterm_as_ctrl_c(lambda: 7) == 7
    except KeyboardInterrupt:
        pytest.fail("the next run ended in a KeyboardInterrupt of the Ctrl-C before")


def test_a_retry_owed_by_an_outer_run_is_kept_by_an_inner_one():
    """(Nested: the inner run must not forget the outer's Ctrl-C.)"""
    def outer() -> int:
        _CtrlCOnDelete()  # owed now, its retry ~10 ms on
        signals.run_with_sigterm_as_ctrl_c(lambda: 0)
        return 0

    with pytest.raises(KeyboardInterrupt):
        signals.run_with_sigterm_as_ctrl_c(outer)
