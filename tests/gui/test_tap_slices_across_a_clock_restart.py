"""A replay whose file batch holds a clock restart (kept by the readers: only runs away that
come back are left out as corrupt) was handed on by the session's ``TapSource`` in slices cut
by a binary search that assumes sorted times: one slice held seconds of both clocks, a burst
for the event view and the recorder, stamped as one arrival. The slices are now cut where the
pipeline paces (``pipeline.pace_edges``): at each chunk of the time reached and at the restart."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
from pipeline_support import ArraySource

from evfocus_live.core.slicing import RESTART_BACK_US
from evfocus_live.events import EVENT_DTYPE, concat
from evfocus_live.gui.session import TapSource


def restarted(n: int = 40_000) -> np.ndarray:
    """2 s of events from 1 s, then the clock restarted at 0 for 2 s more."""
    ev = np.zeros(2 * n, EVENT_DTYPE)
    ev["t"][:n] = 1_000_000 + np.arange(n) * (2_000_000 // n)
    ev["t"][n:] = np.arange(n) * (2_000_000 // n)
    ev["x"], ev["y"] = np.arange(2 * n) % 64, (np.arange(2 * n) // 64) % 48
    return ev


def slices_of(ev: np.ndarray, speed: float = 1.0) -> list[np.ndarray]:
    sess = SimpleNamespace(_stop=threading.Event(), pipeline=SimpleNamespace(speed=speed, check_bounds=lambda b: b),
                           _on_events=lambda b: None)
    tap = TapSource(ArraySource(ev, 64, 48, batch=len(ev)), sess)
    out = []
    while (b := tap.read()) is not None:
        out.append(b)
    return out


def test_no_slice_spans_a_clock_restart():
    ev = restarted()
    slices = slices_of(ev)
    assert np.array_equal(concat(slices), ev)  # (every event, in order)
    for b in slices:
        t = b["t"].astype(np.int64)
        assert not (np.diff(t) < -RESTART_BACK_US).any(), "a slice holds both clocks"
        assert int(t.max()) - int(t.min()) < 2 * TapSource.CHUNK_US, (int(t.min()), int(t.max()))
    # 4 s of sensor time in 2 ms slices
    assert abs(len(slices) - 4_000_000 // TapSource.CHUNK_US) <= 2, len(slices)
