"""A run shorter than two windows of a slow model (~2.8 s at 1.4 s a window) skipped windows
without the keep-up notice: its one pop that lost windows was judged on the warm-up's time
(which says nothing: a warm-up is seconds once), and no later pop lost any. That loss is judged
again once a window is timed past the warm-up: a model far slower than the windows is said then,
at the next pop (the tail's, at the end), a fast one after its slow warm-up is not. Times are
set, not measured."""

from __future__ import annotations

from pipeline_support import H, NO_POST, W, ArraySource, SumModel, windows

from evfocus_live.config import WindowConfig
from evfocus_live.pipeline import Pipeline


def warmed_up(window_ms: float) -> Pipeline:
    """A paced replay whose warm-up window (1.4 s) lost 25 of the 26 windows of the pop after it,
    and whose second window took ``window_ms``."""
    pipe = Pipeline(ArraySource(windows(1)[0].events, W, H), WindowConfig(mode="events", window_events=10),
                    model=SumModel(), post=NO_POST, speed=1.0)
    pipe.process_window(windows(1)[0])  # (the warm-up)
    pipe.stats.infer_ms, pipe.stats.post_ms = 1400.0, 0.0
    assert len(pipe._keep_up(windows(26))) < 26
    assert pipe.stats.behind == ""  # (on the warm-up's time: not yet)
    pipe.process_window(windows(1)[0])  # the window the pop kept, timed
    pipe.stats.infer_ms = window_ms
    return pipe


def test_the_warm_ups_loss_is_said_at_the_tail_for_a_far_slower_model():
    pipe = warmed_up(1400.0)
    pipe._keep_up(windows(1))  # (the end's tail window: a pop that loses none)
    assert pipe.stats.behind == "the model cannot keep up: 1400 ms a window at 64x48, 25 of the last 27 windows skipped"


def test_or_at_a_pop_with_no_window():
    pipe = warmed_up(1400.0)
    pipe._keep_up([])
    assert pipe.stats.behind.startswith("the model cannot keep up: 1400 ms a window"), pipe.stats.behind


def test_not_for_a_model_fast_after_its_warm_up():
    pipe = warmed_up(5.0)
    pipe._keep_up(windows(1))
    pipe._keep_up([])
    assert pipe.stats.behind == ""
