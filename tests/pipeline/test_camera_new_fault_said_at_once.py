"""A live camera's repeated read() fault is said at most once a minute per kind: the kind was
the exception's type alone, and the shipped cameras raise every fault as a DeviceError, so a
new fault ("USB bandwidth exceeded" after "camera disconnected") went unsaid for a minute.
The same fault with another number in it stays one kind."""

from __future__ import annotations

import logging

import numpy as np

from evfocus_live.errors import DeviceError
from evfocus_live.events import EVENT_DTYPE

from pipeline_support import FlakyCam, run_reconnecting


class DvLikeCam(FlakyCam):
    """Fails after each reopen as a shipped camera does: a DeviceError, whatever the fault."""

    opened = 0

    def read(self):
        self.reads += 1
        if self.reads == 1:
            return np.empty(0, EVENT_DTYPE)
        n = type(self).opened
        raise DeviceError(f"DVXplorer: USB bandwidth exceeded ({n} packets lost)" if n >= 6
                          else f"DVXplorer: camera disconnected (port {n})")


def test_a_new_fault_of_the_same_type_is_said_at_once(caplog):
    with caplog.at_level(logging.WARNING, logger="evfocus_live.pipeline"):
        run_reconnecting(DvLikeCam, 10)
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("source error")]
    assert len(said) == 2, said
    assert "camera disconnected" in said[0] and "USB bandwidth exceeded" in said[1]
