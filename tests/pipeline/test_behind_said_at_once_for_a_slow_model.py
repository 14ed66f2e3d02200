"""A model far slower than its windows (~1.4 s a window) needed ``BEHIND_POPS`` ring pops that
lost windows before it was said to be behind: over 4 s, so a short run skipped windows without
the notice. One such pop says it now, once the model's time is a window's (not its warm-up). The
notice's "N ms a window" was the model's time while the check counted post-processing too: it
is the check's number now, with both parts. Times are set, not measured."""

from __future__ import annotations

from pipeline_support import H, NO_POST, W, ArraySource, SumModel, windows

from evfocus_live.config import WindowConfig
from evfocus_live.pipeline import Pipeline

def replay(frames_made: int) -> Pipeline:
    """A paced replay whose model has made ``frames_made`` frames (the first: its warm-up)."""
    pipe = Pipeline(ArraySource(windows(1)[0].events, W, H), WindowConfig(mode="events", window_events=10),
                    model=SumModel(), post=NO_POST, speed=1.0)
    for w in windows(frames_made):
        pipe.process_window(w)
    return pipe


def test_a_far_slower_model_is_said_at_its_first_lossy_pop():
    pipe = replay(frames_made=2)
    pipe.stats.infer_ms, pipe.stats.post_ms = 1400.0, 0.0  # 28 windows of 50 ms come meanwhile
    assert len(pipe._keep_up(windows(28))) < 28
    assert pipe.stats.behind.startswith("the model cannot keep up: 1400 ms a window at 64x48, "), pipe.stats.behind


def test_not_on_the_warm_ups_time():
    pipe = replay(frames_made=1)  # (stats.infer_ms is the first window's: seconds of warm-up, once)
    pipe.stats.infer_ms = 4000.0
    pipe._keep_up(windows(80))
    assert pipe.stats.behind == ""


def test_the_notice_says_the_time_the_check_counts():
    pipe = replay(frames_made=2)
    pipe.stats.infer_ms, pipe.stats.post_ms = 1400.0, 300.0
    pipe._keep_up(windows(34))
    assert pipe.stats.behind.startswith(
        "the model cannot keep up: 1700 ms a window (model 1400 ms + post-processing 300 ms) at 64x48"), pipe.stats.behind
