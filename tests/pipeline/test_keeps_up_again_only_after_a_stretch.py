"""A model near the input rate on a slower VM skipped a window every second or so, and six ring
pops without a skip (~0.1 s of a camera's packets) took ``PipelineStats.behind`` back: "the model
keeps up again" was said while windows were still being skipped. It is taken back only after
``KEEP_UP_AGAIN_S`` of input with no skip (and ``BEHIND_OF`` pops). Times are set, not measured."""

from __future__ import annotations

import logging

import numpy as np
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.core.slicing import Window
from evfocus_live.events import EVENT_DTYPE
from evfocus_live.gui import app
from evfocus_live.gui.session import BehindNotice
from evfocus_live.pipeline import BEHIND_POPS, KEEP_UP_AGAIN_S, Pipeline

W, H = 64, 48
WINDOW_US = 50_000


class Replay:
    """A paced replay at 1x whose ring pops are handed to the keep-up watch one by one."""

    def __init__(self):
        ev = np.zeros(10, EVENT_DTYPE)
        self.pipeline = Pipeline(ArraySource(ev, W, H), WindowConfig(mode="events", window_events=10),
                                 model=SumModel(), post=NO_POST, speed=1.0)
        self.pipeline.stats.infer_ms = 60.0  # (over a 50 ms window: a pop of several loses some)
        self.t_us = 0

    def stats(self):
        return self.pipeline.stats

    def pop(self, n: int) -> float:
        """A pop of ``n`` windows (one keeps up, more lose all but the newest); its input seconds."""
        ws = [Window(np.zeros(1, EVENT_DTYPE), self.t_us + k * WINDOW_US, self.t_us + (k + 1) * WINDOW_US)
              for k in range(n)]
        self.t_us += n * WINDOW_US
        self.pipeline._keep_up(ws)
        return n * WINDOW_US / 1e6


def test_a_skip_now_and_then_keeps_it_behind_and_a_real_stretch_takes_it_back():
    r = Replay()
    for _ in range(BEHIND_POPS):
        r.pop(3)
    assert r.pipeline.stats.behind.startswith("the model cannot keep up")
    # ten seconds of a window skipped every ~1 s: behind all along (it was taken back after 6 pops)
    for _ in range(10):
        for _ in range(19):
            r.pop(1)
            assert r.pipeline.stats.behind, "taken back while windows are still skipped"
        r.pop(2)
    assert r.pipeline.stats.behind
    clean_s = 0.0
    while r.pipeline.stats.behind:
        clean_s += r.pop(1)
        assert clean_s < KEEP_UP_AGAIN_S + 1.0
    assert clean_s >= KEEP_UP_AGAIN_S


def test_headless_says_keeps_up_again_once_and_only_after_the_stretch(caplog, monkeypatch):
    monkeypatch.setattr("evfocus_live.gui.session.faster_hint", lambda pipe, viewer: "")
    r, notice = Replay(), BehindNotice()
    now, said_at = 0.0, []

    def tick(n: int) -> None:
        nonlocal now
        now += r.pop(n)
        k = len(caplog.records)
        app._say_behind(r, notice, now)
        said_at.extend(now for rec in caplog.records[k:] if "keeps up again" in rec.getMessage())

    with caplog.at_level(logging.INFO):
        for _ in range(BEHIND_POPS):
            tick(3)
        for _ in range(5):  # five seconds, a window skipped each
            for _ in range(19):
                tick(1)
            tick(2)
        skips_end = now
        for _ in range(int(2 * KEEP_UP_AGAIN_S * 1e6 / WINDOW_US)):
            tick(1)
    assert len([m for m in caplog.messages if "cannot keep up" in m]) == 1
    assert len(said_at) == 1 and said_at[0] - skips_end >= KEEP_UP_AGAIN_S - 1e-6, (said_at, skips_end)
