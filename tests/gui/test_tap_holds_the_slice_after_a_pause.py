"""The viewer's ``TapSource`` showed a slice as it was read: the slice after a pause in the
recording is read before the paced replay plays the pause (``MAX_GAP_S``), so the event pane
jumped seconds ahead at the pause's start, the newest-event time with it, and the first frame
after the pause counted the pause as latency. That slice is now tapped once played (the
pipeline's next read()); a seek in the pause drops it (not played)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
from pipeline_support import ArraySource

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.gui.session import TapSource


def paused_recording() -> np.ndarray:
    """10 ms of events, a 3 s pause, 10 ms more."""
    ev = np.zeros(40, EVENT_DTYPE)
    ev["t"][:20] = np.arange(20) * 500
    ev["t"][20:] = 3_000_000 + np.arange(20) * 500
    return ev


def tap_of(ev: np.ndarray):
    tapped = []
    sess = SimpleNamespace(_stop=threading.Event(), pipeline=SimpleNamespace(speed=1.0, check_bounds=lambda b: b),
                           _on_events=tapped.append)
    return TapSource(ArraySource(ev, 64, 48, batch=len(ev)), sess), tapped


def read_to_the_pause(tap, tapped) -> np.ndarray:
    while True:
        b = tap.read()
        if int(b["t"][0]) >= 3_000_000:
            return b


def test_the_slice_after_a_pause_is_tapped_once_played():
    tap, tapped = tap_of(paused_recording())
    after = read_to_the_pause(tap, tapped)
    assert all(int(b["t"][-1]) < 3_000_000 for b in tapped)  # (the pause is still to be played)
    assert tap.t_us == 9_500
    tap.read()  # the pipeline asks for the next: it has played up to it
    assert any(b is after for b in tapped)
    assert tap.t_us >= int(after["t"][-1])


def test_a_seek_in_the_pause_drops_it():
    tap, tapped = tap_of(paused_recording())
    read_to_the_pause(tap, tapped)
    n = len(tapped)
    tap._session.recorder = SimpleNamespace(source_sought=lambda again: None)
    tap._session._remake_at_us, tap._session._arrivals = None, []
    tap._session.pipeline.seek_pending, tap._session.pipeline.stats = False, SimpleNamespace(frames=0)
    tap.seek(1_500_000)
    b = tap.read()
    assert int(b["t"][0]) >= 3_000_000
    assert len(tapped) == n  # (the dropped slice not tapped at the next read)
