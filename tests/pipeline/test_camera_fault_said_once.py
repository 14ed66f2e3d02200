"""A live plugin camera whose read() fails at each read after a reopen (reconnect on) said
one "source error" warning per reconnect cycle: 20 in a second. The same fault is now said
once (again at most once a minute, counted); another kind of fault is said too."""

from __future__ import annotations

import logging

from pipeline_support import FlakyCam

from evfocus_live.config import PostConfig, WindowConfig
from evfocus_live.pipeline import Pipeline


def test_a_camera_failing_after_each_reopen_is_said_once_per_kind(caplog):
    pipe = Pipeline(FlakyCam, WindowConfig(mode="events", window_events=100), model="integrator",
                    post=PostConfig(steps=()))
    with caplog.at_level(logging.WARNING, logger="evfocus_live.pipeline"):
        pipe.start()
        while pipe.stats.reconnects < 10:
            pipe.wait(0.05)
        pipe.stop()
    said = [r.getMessage() for r in caplog.records if "source error" in r.getMessage()]
    assert len(said) == 2, said
    assert "OSError: USB transfer failed" in said[0] and "ValueError: bad packet" in said[1]
    assert pipe.stats.source_errors >= 10
