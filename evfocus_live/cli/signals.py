"""Signals for long commands: SIGTERM as Ctrl-C, either kept when it lands in a finalizer, and
signals held back over a block.

SIGTERM (``kill``, ``timeout``, a batch scheduler) by default ends the process at once: a
video without its index, a training run without its last checkpoint. Raised as
KeyboardInterrupt instead, it takes the Ctrl-C path that closes the files written so far; a
second SIGTERM ends the process outright.

:func:`held_signals` runs a block to its end with some signals held back (the CLI's start-up
imports, the trainer's optimiser step): one helper, so both hold alike. :func:`sigint_blocked`
starts worker processes that do not get a Ctrl-C while they import.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from typing import Any, Callable, Iterator

#: what a second signal of a kind already held does (see :func:`held_signals`)
SECOND_SIGNAL = ("hold", "deliver")


#: seconds after which a signal that came inside a finalizer is handled again
RETRY_AFTER_FINALIZER_S = 0.01


class _Deferred:
    """A signal whose handler ran inside a finalizer: ``owed`` (not raised yet), ``resent`` (its
    retry sent by ``timer``), both reset once it is raised or the run ends; ``raised``: the
    KeyboardInterrupt last raised for it (told apart in :func:`_swallowed_hook`)."""

    def __init__(self) -> None:
        self.owed = False
        self.resent = False
        self.timer: threading.Timer | None = None
        self.raised: BaseException | None = None


#: per signal (SIGTERM, SIGINT): one that came inside a finalizer, see :class:`_Deferred`
_deferred: dict[int, _Deferred] = {signal.SIGTERM: _Deferred(), signal.SIGINT: _Deferred()}
#: held while a retry is sent or forgotten, so that one forgotten is never sent after (reentrant:
#: a handler may run inside :func:`_settle` on the main thread)
_retry_lock = threading.RLock()
#: :func:`run_with_sigterm_as_ctrl_c` calls running now (nested: the outermost starts afresh)
_runs = 0


def terminate_as_interrupt(signum, frame) -> None:
    """SIGTERM handler: the first raises KeyboardInterrupt, the next one kills. One that comes
    while a finalizer runs (``__del__``, ``weakref.finalize``) is handled again just after:
    raised there, Python prints "Exception ignored" and drops it (``evfocus bench`` ran on to
    its end, exit 0); a second SIGTERM meanwhile kills."""
    state = _deferred[signal.SIGTERM]
    if state.owed and not state.resent:  # the next one, while the first waits
        _kill(signum)
        return
    if _in_finalizer(frame):
        _retry_later(signum)
        return
    _settle(signum)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    state.raised = exc = KeyboardInterrupt()
    raise exc


def _ctrl_c_outside_finalizers(handler: Callable[[int, Any], None]) -> Callable[[int, Any], None]:
    """A SIGINT handler around ``handler`` (Python's own, or the CLI's that notes the Ctrl-C):
    a Ctrl-C that comes while a finalizer runs is handled again just after, as a SIGTERM is in
    :func:`terminate_as_interrupt` (raised there it was dropped: "Exception ignored", and
    ``evfocus bench`` ran on to its end). Each Ctrl-C still raises, as Python's does."""
    def on_sigint(signum, frame) -> None:
        state = _deferred[signal.SIGINT]
        if _in_finalizer(frame):
            if not state.owed or state.resent:  # (a second one meanwhile is the same Ctrl-C)
                _retry_later(signum)
            return
        _settle(signum)
        try:
            handler(signum, frame)
        except KeyboardInterrupt as exc:
            state.raised = exc
            raise
    return on_sigint


def _retry_later(signum: int) -> None:
    state = _deferred[signum]

    def resend() -> None:
        import _thread

        with _retry_lock:
            if state.timer is not timer:  # forgotten meanwhile (:func:`_settle`): not sent
                return
            state.resent = True
            _thread.interrupt_main(signum)  # (nothing where the handler is put back: _settle sees it owed)

    timer = threading.Timer(RETRY_AFTER_FINALIZER_S, resend)
    timer.daemon = True  # (never what keeps the interpreter from exiting)
    with _retry_lock:
        state.owed, state.resent, state.timer = True, False, timer
    timer.start()


def _settle(signum: int) -> bool:
    """Forget a deferred ``signum`` (its retry cancelled, and never sent after): whether one
    was owed."""
    state = _deferred[signum]
    with _retry_lock:
        owed = state.owed
        if state.timer is not None:
            state.timer.cancel()
        state.owed, state.resent, state.timer = False, False, None
    return owed


def _kill(signum: int) -> None:
    _settle(signum)
    signal.signal(signum, signal.SIG_DFL)
    signal.raise_signal(signum)


def _in_finalizer(frame) -> bool:
    """Whether ``frame`` runs inside a finalizer (``__del__`` or a ``weakref.finalize``
    callback, at any depth). A bare ``weakref.ref`` callback is not seen."""
    import weakref

    finalize_code = weakref.finalize.__call__.__code__
    while frame is not None:
        if frame.f_code.co_name == "__del__" or frame.f_code is finalize_code:
            return True
        frame = frame.f_back
    return False


def _swallowed_hook(previous: Callable[[Any], None], handlers: dict[int, Any]) -> Callable[[Any], None]:
    """A ``sys.unraisablehook`` that takes back the KeyboardInterrupt of a SIGTERM or Ctrl-C
    that Python dropped where it could not raise it: a callback :func:`_in_finalizer` cannot
    see (a bare ``weakref.ref`` callback, ``WeakSet``'s, run by the garbage collector). Its
    handler (``handlers``) goes back in and the signal is sent again just after, as for a
    ``__del__``; anything else goes to ``previous``."""
    def hook(unraisable) -> None:
        signum = next((s for s, st in _deferred.items()
                       if s in handlers and unraisable.exc_value is not None and unraisable.exc_value is st.raised), None)
        if signum is None:
            previous(unraisable)
            return
        _deferred[signum].raised = None
        signal.signal(signum, handlers[signum])  # (this runs where it was raised: the main thread)
        _retry_later(signum)
    return hook


def run_with_sigterm_as_ctrl_c(run: Callable[[], int]) -> int:
    """``run()`` with :func:`terminate_as_interrupt` installed, and the Ctrl-C handler there
    was (Python's own, or the CLI's) wrapped by :func:`_ctrl_c_outside_finalizers` (only the
    main thread can set handlers; elsewhere it runs as it is), the previous handlers put back
    afterwards. A signal still waiting on a finalizer as ``run()`` returns is raised then: put
    back, the handler would no longer take its retry (exit 0). One that Python dropped in a
    callback is taken back by a ``sys.unraisablehook`` installed meanwhile (:func:`_swallowed_hook`)."""
    global _runs
    prev: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        if not _runs:  # (an earlier run's, cut in its clean-up, is no Ctrl-C of this one)
            for s in _deferred:
                _settle(s)
                _deferred[s].raised = None
        handlers: dict[int, Any] = {signal.SIGTERM: terminate_as_interrupt}
        sigint = signal.getsignal(signal.SIGINT)
        if callable(sigint):  # (not where Ctrl-C is ignored, or a handler not set from Python)
            handlers[signal.SIGINT] = _ctrl_c_outside_finalizers(sigint)
        prev = {s: signal.signal(s, h) for s, h in handlers.items()}
        prev_hook = sys.unraisablehook
        sys.unraisablehook = ours = _swallowed_hook(prev_hook, handlers)
        _runs += 1
    try:
        result = run()
    finally:
        owed = False
        if prev:
            _runs -= 1
            try:  # the retries cancelled first: one fired once the handlers are back went to
                # them, raised here before the rest was cleared, and was owed to the next run
                for s in prev:
                    _deferred[s].raised = None
                    owed = _settle(s) or owed
            finally:
                _restore(prev)
                if sys.unraisablehook is ours:  # (a hook ``run()`` installed itself is its own: kept)
                    sys.unraisablehook = prev_hook
    if owed:
        raise KeyboardInterrupt
    return result


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """SIGINT blocked over a block that starts worker processes (``spawn``): a worker imports
    evfocus_live before its initializer ignores SIGINT, so a Ctrl-C then (the terminal sends it to
    the whole group) was a KeyboardInterrupt traceback per worker. The workers, and threads the
    block starts, inherit the mask; this process gets the Ctrl-C after the block, as
    multiprocessing's resource tracker starts. As it is where there are no signal masks (Windows)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def held_signals(signals: tuple[int, ...] = (signal.SIGINT,), *, second: str = "hold",
                 on_held: Callable[[int], None] | None = None) -> Iterator[None]:
    """The block runs to its end; each of ``signals`` that arrives meanwhile goes, once, to the
    handler found for it, after the block (not when the block raised: that ends it anyway).

    Parameters:
        signals: the signals held back (``SIGINT``: Ctrl-C; ``SIGTERM``: ``kill``).
        second: what a second signal of a kind already held does: ``"hold"`` (it is the same
            one, delivered once after the block: an import cut in the middle aborts in
            torch) or ``"deliver"`` (it goes at once, the handlers put back: a block that never
            ends, a training step whose all-reduce peer is gone, can still be stopped).
        on_held: called with the signal's number when one is first held (to say so).

    Nests: an inner block delivers to the outer one's handler, which holds it. Runs the block
    as it is off the main thread (only it can set handlers) or where a handler was not set
    from Python.

    Example:
        >>> with held_signals((signal.SIGINT, signal.SIGTERM), second="deliver"):
        ...     optimiser_step(...)
    """
    if second not in SECOND_SIGNAL:
        raise ValueError(f"second must be one of {SECOND_SIGNAL}, got {second!r}")
    if (threading.current_thread() is not threading.main_thread()
            or any(signal.getsignal(s) is None for s in signals)):
        yield
        return
    pending: list[int] = []

    def hold(signum, frame):
        if signum in pending:
            if second == "deliver":
                _restore(prev)
                _deliver(prev, signum)
            return
        pending.append(signum)
        if on_held is not None:
            on_held(signum)

    prev = {sig: signal.signal(sig, hold) for sig in signals}
    try:
        yield
    finally:
        _restore(prev)
    for sig in pending:
        _deliver(prev, sig)


def _restore(handlers: dict[int, Any]) -> None:
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def _deliver(handlers: dict[int, Any], sig: int) -> None:
    """Signal ``sig`` to the handler :func:`held_signals` found for it."""
    handler = handlers[sig]
    if handler is signal.SIG_DFL:
        signal.raise_signal(sig)
    elif callable(handler):  # Python's KeyboardInterrupt, the CLI's SIGTERM-as-Ctrl-C, an outer hold
        handler(sig, None)
