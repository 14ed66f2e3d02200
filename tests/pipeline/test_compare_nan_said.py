"""A compare model whose output is NaN/Inf (fp16 overflow on a GPU: every window) had its frames
dropped in silence, its pane frozen on the last good frame with nothing said; the main model's
are said once (a warning) and in ``stats.last_fault``. The compare model's are said so, named."""

from __future__ import annotations

import logging

from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.pipeline import Pipeline


def test_compare_nan_frames_are_said_once_naming_the_compare_model(caplog):
    ev = make_events(6000, width=32, height=24, duration_us=60_000)
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=10),
                    model=SumModel(), post=NO_POST)
    pipe.set_compare(SumModel(nan_at={2, 3, 4}))
    with caplog.at_level(logging.WARNING, logger="evfocus_live"):
        frames = list(pipe.frames())
    assert len(frames) == 6 and [fr.compare is None for fr in frames[:5]] == [False, True, True, True, False]
    said = [r.getMessage() for r in caplog.records if "NaN" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("compare model 'SumModel' output contains NaN/Inf"), said
    assert pipe.stats.nan_frames == 3 and "compare model" in pipe.stats.last_fault
    pipe.close()
