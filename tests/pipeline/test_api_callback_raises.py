"""An ``on_frame`` callback that raises: its traceback logged once, the rest counted.

Before, every frame logged the whole traceback (13 for the 0.13 s DAVIS file in 10 ms
windows, 30 a second live) and nothing counted them for the script to check.
"""

from __future__ import annotations

import logging

from conftest import DAVIS_FILE
from pipeline_support import NO_POST
from evfocus_live.config import WindowConfig
from evfocus_live.pipeline import Pipeline


def test_a_raising_callback_is_logged_once_and_counted(caplog):
    calls = []

    def on_frame(fr):
        calls.append(fr.index)
        raise ValueError("bug in the script")

    with Pipeline(str(DAVIS_FILE), WindowConfig(mode="duration", window_ms=10), "integrator", NO_POST,
                  speed=0) as pipe:
        with caplog.at_level(logging.INFO, logger="evfocus_live.pipeline"):
            pipe.start(on_frame=on_frame)
            assert pipe.wait(60)
        assert len(calls) == 13  # the run went on
        assert pipe.stats.callback_errors == 13
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1
    assert "at frame 0" in tracebacks[0].getMessage()
    assert "bug in the script" in caplog.text
