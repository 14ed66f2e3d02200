"""Ctrl-C at a chosen point of a training run, for the tests of what an interrupted run keeps."""

from __future__ import annotations

from typing import Any, Callable


def ctrl_c_after(n: int, real: Callable[..., Any]) -> Callable[..., Any]:
    """``real`` for its first ``n`` calls; the next one raises KeyboardInterrupt instead."""
    calls = [0]

    def wrapped(*a, **kw):
        calls[0] += 1
        if calls[0] > n:
            raise KeyboardInterrupt
        return real(*a, **kw)

    return wrapped
