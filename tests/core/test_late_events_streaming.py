"""Late events (more than one window behind the newest time) said while streaming: a live
camera's stream never ends, so a warning kept for the end of the stream never came."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.core.slicing import LATE_MIN_EVENTS, AdaptiveSlicer, DurationSlicer


def _slicer(kind):
    return DurationSlicer(10) if kind == "duration" else AdaptiveSlicer(10, min_events=1, max_events=10**6)


def _broken_clock(n_batches: int, seed: int = 0) -> list[np.ndarray]:
    """Batches of 2 ms of a camera whose clock sends every 10th event 50 ms into the past."""
    out = []
    for k in range(n_batches):
        b = make_events(1000, t0_us=k * 2000, duration_us=2000, seed=seed + k)
        b["t"][::10] = np.maximum(b["t"][::10] - 50_000, 0)
        out.append(b)
    return out


def _late_said(caplog, level=logging.WARNING) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == level and "time order is broken" in r.getMessage()]


@pytest.mark.parametrize("kind", ["duration", "adaptive"])
def test_late_events_are_said_once_while_the_stream_runs(kind, caplog):
    s = _slicer(kind)
    told = []
    s.on_late = told.append
    with caplog.at_level(logging.INFO, logger="evfocus_live.core.slicing"):
        for b in _broken_clock(200):  # never flushed: a live camera
            s.push(b)
    said = _late_said(caplog)
    assert len(said) == 1, said  # before: nothing until a flush that a camera never reaches
    assert told == said
    n_said = int(said[0].split()[0])
    assert LATE_MIN_EVENTS <= n_said < s.late_events  # the count at the time, not the end's
    assert "so far" in said[0] and "10.0 ms" in said[0]


def test_the_end_adds_only_the_total_and_only_when_it_grew(caplog):
    s = DurationSlicer(10)
    with caplog.at_level(logging.INFO, logger="evfocus_live.core.slicing"):
        for b in _broken_clock(50):
            s.push(b)
        s.flush()
        s.flush()  # (a looping replay's next pass end: not said again)
    assert len(_late_said(caplog)) == 1
    infos = [r.getMessage() for r in caplog.records if r.getMessage().startswith("late events in all")]
    assert infos == [f"late events in all: {s.late_events} of {s.seen_events} "
                     f"({100 * s.late_events / s.seen_events:.1f} %) more than one window old"]
    # all the late events in the batch that crossed the bar: the end has nothing to add
    caplog.clear()
    rev = make_events(5000, t0_us=0, duration_us=500_000, seed=5)[::-1].copy()
    s = DurationSlicer(10)
    with caplog.at_level(logging.INFO, logger="evfocus_live.core.slicing"):
        s.push(rev)
        s.flush()
    assert len(_late_said(caplog)) == 1
    assert not [r for r in caplog.records if r.getMessage().startswith("late events in all")]


def test_stray_late_events_below_the_bar_stay_silent(caplog):
    ev = make_events(20_000, t0_us=0, duration_us=1_000_000, seed=2)
    ev["t"][1000:1000 + LATE_MIN_EVENTS - 1] -= 50_000
    s = DurationSlicer(10)
    with caplog.at_level(logging.WARNING):
        for k in range(0, len(ev), 1024):
            s.push(ev[k:k + 1024])
        s.flush()
    assert s.late_events == LATE_MIN_EVENTS - 1 and _late_said(caplog) == []


def test_a_new_slicer_for_new_window_settings_does_not_say_it_again(caplog):
    old, new = DurationSlicer(10), DurationSlicer(20)
    batches = _broken_clock(100)
    with caplog.at_level(logging.WARNING):
        for b in batches[:50]:
            old.push(b)
        new.carry_late(old)
        for b in batches[50:]:
            new.push(b)
    assert len(_late_said(caplog)) == 1 and new.late_events > old.late_events


def test_the_pipeline_passes_the_warning_to_its_listener(tmp_path, tiny_model):
    """``Pipeline.on_warning``: the viewer's way to its status bar for a stream's warnings."""
    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.pipeline import Pipeline

    ev = np.concatenate(_broken_clock(60))
    ev["x"] %= 64
    ev["y"] %= 48
    np.save(tmp_path / "clock.npy", ev)
    pipe = Pipeline(str(tmp_path / "clock.npy"), WindowConfig(mode="duration", window_ms=10),
                    model_obj=tiny_model, post=PostConfig(steps=()), speed=0)
    told = []
    pipe.on_warning = told.append
    for _ in pipe.frames():
        pass
    assert len(told) == 1 and "time order is broken" in told[0]
