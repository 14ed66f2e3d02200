"""``frames()`` again after a recording ended (a notebook cell run twice) says why it gives
nothing, and a seek reads it again. Before, the second loop was empty without a word."""

from __future__ import annotations

import logging

from conftest import DAVIS_FILE, REAL_FILES
from pipeline_support import NO_POST
from evfocus_live.config import WindowConfig
from evfocus_live.pipeline import Pipeline


def test_frames_after_the_end_says_so_and_a_seek_reads_again(caplog):
    with Pipeline(str(DAVIS_FILE), WindowConfig(mode="duration", window_ms=33), "integrator", NO_POST) as pipe:
        with caplog.at_level(logging.WARNING, logger="evfocus_live.pipeline"):
            assert len(list(pipe.frames())) == 4
            assert not [r for r in caplog.records if "recording has ended" in r.getMessage()]
            assert list(pipe.frames()) == []
            said = [r for r in caplog.records if "recording has ended" in r.getMessage()]
            assert len(said) == 1 and "pipe.seek" in said[0].getMessage()
            pipe.seek(REAL_FILES["davis346"]["t_first_us"])
            assert len(list(pipe.frames())) == 4
            assert len([r for r in caplog.records if "recording has ended" in r.getMessage()]) == 1
