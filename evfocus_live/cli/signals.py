"""SIGTERM (``kill``, ``timeout``, a batch scheduler) handled as Ctrl-C by long commands.

By default SIGTERM ends the process at once: a video without its index, a training run
without its last checkpoint. Raised as KeyboardInterrupt instead, it takes the Ctrl-C path
that closes the files written so far; a second SIGTERM ends the process outright.
"""

from __future__ import annotations

import signal
import threading
from typing import Callable


def terminate_as_interrupt(signum, frame) -> None:
    """SIGTERM handler: the first raises KeyboardInterrupt, the next one kills."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise KeyboardInterrupt


def run_with_sigterm_as_ctrl_c(run: Callable[[], int]) -> int:
    """``run()`` with :func:`terminate_as_interrupt` installed (only the main thread can set
    handlers; elsewhere it runs as it is), the previous handler put back afterwards."""
    prev = None
    if threading.current_thread() is threading.main_thread():
        prev = signal.signal(signal.SIGTERM, terminate_as_interrupt)
    try:
        return run()
    finally:
        if prev is not None:
            signal.signal(signal.SIGTERM, prev)
