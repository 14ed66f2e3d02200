"""``stats.compare_ms`` is the compare model's part of ``infer_ms``, 0 without one: a compare
model taken away (``set_compare(None)``) left its last time there, read as time still spent."""

from __future__ import annotations

from conftest import make_events
from pipeline_support import NO_POST, ArraySource, SumModel

from evfocus_live.config import WindowConfig
from evfocus_live.pipeline import Pipeline


def test_compare_ms_is_zero_once_the_compare_model_is_gone():
    ev = make_events(6000, width=32, height=24, duration_us=60_000)
    pipe = Pipeline(ArraySource(ev, 32, 24), WindowConfig(mode="duration", window_ms=10),
                    model=SumModel(), post=NO_POST)
    pipe.set_compare(SumModel())
    frames = pipe.frames()
    assert next(frames).compare is not None and pipe.stats.compare_ms > 0
    pipe.set_compare(None)
    assert pipe.stats.compare_ms == 0.0
    assert all(fr.compare is None for fr in frames) and pipe.stats.compare_ms == 0.0
    pipe.close()
