"""A window of one or two events (a quiet scene, fixed-duration windows) gives a near-flat
reconstruction that brightens a few grey levels a window as the recurrent state relaxes. Auto-HDR
stretched any range of 16 grey levels or more to full scale, and its smoothed range, lagging the
drift, put 95-100 % of such a frame at full white: the reconstruction pane went white whenever the
scene went quiet."""

from __future__ import annotations

import time

import numpy as np
import pytest
from gui_support import TIMEOUT_MS, make_window

from evfocus_live.config import ModelConfig, WindowConfig
from evfocus_live.core.postprocess import AutoHdr
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources.base import EventSource


def near_empty_frames(n: int = 12, w: int = 96, h: int = 72):
    """What the shipped light model makes of 2-event windows: flat near its neutral grey, a few
    pixels some levels darker, two event pixels, 2 levels brighter each window (33 ms apart)."""
    rng = np.random.default_rng(0)
    for k in range(n):
        f = np.full((h, w), 132 + 2 * k, np.uint8)
        f[rng.random((h, w)) < 0.05] -= 6
        f[rng.integers(0, h, 2), rng.integers(0, w, 2)] += 8
        yield k * 33_000, f


def white_share(img: np.ndarray) -> float:
    return float((np.asarray(img) >= 250).mean())


def test_auto_hdr_does_not_stretch_a_near_empty_frame_to_white():
    hdr = AutoHdr()
    for t_us, frame in near_empty_frames():
        out = hdr(frame, t_us)
        assert white_share(out) < 0.01, (t_us, white_share(out))  # 95-100 % at the old floor
        assert abs(float(out.mean()) - float(frame.mean())) < 60, (t_us, out.mean(), frame.mean())


def test_auto_hdr_still_stretches_a_real_frames_range():
    """A reconstruction of a real scene (38-150 levels between its percentiles) keeps its stretch."""
    rng = np.random.default_rng(2)
    frame = rng.integers(90, 170, (72, 96)).astype(np.uint8)  # 80 levels, low contrast
    out = AutoHdr()(frame, 0)
    assert np.percentile(out, 1) <= 8 and np.percentile(out, 99) >= 247


class SparseCamera(EventSource):
    """A live camera looking at a still scene: one event every 16.5 ms of wall time (2 a 33 ms window)."""

    format, sensor, width, height = "sparse-cam", "test", 96, 72
    is_live = True

    def __init__(self):
        self._t0 = time.monotonic()
        self._next_us = 1000
        self._rng = np.random.default_rng(1)

    def read(self):
        time.sleep(0.005)
        now_us = int((time.monotonic() - self._t0) * 1e6)
        ts = np.arange(self._next_us, now_us + 1, 16_500, dtype=np.int64)
        self._next_us = int(ts[-1]) + 16_500 if len(ts) else self._next_us
        ev = np.zeros(len(ts), EVENT_DTYPE)
        ev["t"] = ts
        ev["x"] = self._rng.integers(0, self.width, len(ts))
        ev["y"] = self._rng.integers(0, self.height, len(ts))
        ev["p"] = self._rng.integers(0, 2, len(ts))
        return ev


@pytest.mark.gui
@pytest.mark.usefixtures("one_torch_thread")
def test_the_reconstruction_pane_stays_grey_on_near_empty_windows(qtbot, tmp_path):
    """The shipped light model, auto-HDR on (the viewer's default), 33 ms windows of 2 events."""
    win = make_window(qtbot, tmp_path, SparseCamera(), None, model=ModelConfig(name="evfocus", device="cpu"),
                      window=WindowConfig(mode="duration", window_ms=33.0), post=("auto_hdr",))
    shown: list[tuple[int, float]] = []
    win.frame_shown.connect(lambda i: shown.append((win.last_frame.n_events, white_share(win.last_frame.image))))
    qtbot.waitUntil(lambda: len(shown) >= 12, timeout=TIMEOUT_MS)
    win.close()
    assert max(n for n, _ in shown) <= 4, shown  # (near-empty windows indeed)
    assert max(share for _, share in shown) < 0.01, shown  # 90 % and more white before
