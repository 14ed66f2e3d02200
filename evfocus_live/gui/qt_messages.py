"""Qt's own console lines that tell a user nothing, left out while the viewer runs.

The offscreen platform (`evfocus-live --screenshot` without a display, the screenshot script,
the tests) prints "This plugin does not support propagateSizeHints()" each time a window is
shown: a newcomer took it for a fault of the screenshot. Every other Qt message goes on to the
handler that was there before (Qt's own when none was: stderr, as Qt prints it).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

#: exact Qt messages that are dropped
NOISE = frozenset({"This plugin does not support propagateSizeHints()",
                   "This plugin does not support raise()"})  # (a dialog asked again, see window._text_dialog)


@contextlib.contextmanager
def quiet_qt_noise() -> Iterator[None]:
    """Drop the :data:`NOISE` messages while inside; the previous handler back after."""
    from PySide6 import QtCore

    def handler(mode, context, message: str) -> None:
        if message in NOISE:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)

    previous = QtCore.qInstallMessageHandler(handler)
    try:
        yield
    finally:
        QtCore.qInstallMessageHandler(previous)
