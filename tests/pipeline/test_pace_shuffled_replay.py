"""A paced replay cuts each reader batch into 5 ms steps of sensor time. Cut where the time
itself changed step, shuffled rows (or rows grouped by pixel) gave a part per event, each
paced and pushed on its own: 200 k ring pushes for a 200 k-event batch, a replay at a crawl."""

from __future__ import annotations

import time

import numpy as np
from conftest import make_events

from evfocus_live.pipeline import Pipeline, pace_edges


def _old_edges(t_us, chunk_us):
    return np.flatnonzero(np.diff((t_us - t_us[0]) // chunk_us)) + 1


def test_sorted_times_are_cut_as_before():
    t = np.sort(np.random.default_rng(0).integers(0, 200_000, 50_000))
    assert np.array_equal(pace_edges(t, 5_000), _old_edges(t, 5_000))


def test_shuffled_times_are_cut_on_the_time_reached():
    t = np.random.default_rng(1).permutation(np.arange(0, 2_000_000, 10))  # 200 k events, 2 s
    edges = pace_edges(t, 5_000)
    assert len(_old_edges(t, 5_000)) > 190_000  # (what it was)
    assert len(edges) <= 2_000_000 // 5_000 + 8
    assert np.all(np.diff(edges) > 0)


def test_a_clock_restart_is_cut_at_and_paced_on_the_new_clock():
    t = np.concatenate([np.arange(5_000_000, 5_100_000, 10), np.arange(20_000, 120_000, 10)])
    edges = pace_edges(t, 5_000)
    assert 10_000 in edges  # the restart
    parts = np.split(t, edges)
    assert all(p.max() - p.min() < 5_000 for p in parts)  # each part one 5 ms step of its clock
    assert len(parts) == 40


def test_a_paced_replay_of_shuffled_rows_pushes_steps_not_events(tmp_path, tiny_model):
    ev = make_events(40_000, 64, 48, t0_us=0, duration_us=400_000, seed=3)
    path = tmp_path / "shuffled.npy"
    np.save(path, ev[np.random.default_rng(4).permutation(len(ev))])
    with Pipeline(str(path), model=tiny_model, speed=4.0) as pipe:
        pipe.start()
        deadline = time.monotonic() + 60
        while pipe.running and time.monotonic() < deadline:
            time.sleep(0.05)
        pushes = pipe.ring.pushes
    assert pushes <= 400_000 // 5_000 + 16, pushes  # the old cut: one push per event (~40 k)
