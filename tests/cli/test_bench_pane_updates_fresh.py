"""``bench/bench_pipeline_overhead.py`` timed the event pane's ``update`` rows by feeding the
same 2 ms batches again on every call: the pane had seen them (no time passed for the decay,
no newer time for the time surface), so those rows read low. Each timed call now gets batches
later than all the pane was fed before, old and new code the same ones."""

from __future__ import annotations

import runpy
from pathlib import Path

from conftest import make_events

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_pipeline_overhead.py"


class Recorder:
    def __init__(self):
        self.fed: list[tuple[int, int]] = []  # (first t, last t) of each batch

    def update(self, batch):
        self.fed.append((int(batch["t"][0]), int(batch["t"][-1])))


def test_each_timed_call_feeds_later_batches_and_both_sides_the_same(tmp_path):
    bench = runpy.run_path(str(BENCH))
    ev = make_events(20_000, 64, 48, duration_us=200_000)
    n_batches, repeat = 4, 3
    calls = repeat + 1  # interleaved(): a warm-up, then `repeat` timed calls per side
    fresh = bench["slices"](ev, bench["BATCH_US"], n_batches * bench["BATCH_US"], calls * n_batches)
    runs = [fresh[k * n_batches:(k + 1) * n_batches] for k in range(calls)]
    old, new = Recorder(), Recorder()
    r = bench["interleaved"](bench["feeder"](old, runs), bench["feeder"](new, runs), repeat)
    assert len(r["old"]) == len(r["new"]) == repeat
    assert old.fed == new.fed and len(old.fed) == calls * n_batches
    # every batch later than all fed before it: none fed twice
    assert all(b[0] > a[1] for a, b in zip(old.fed, old.fed[1:])), old.fed
