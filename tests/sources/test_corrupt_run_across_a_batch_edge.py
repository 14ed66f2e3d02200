"""A run of changed times (a bad sector: 20 rows) across the edge of two 512 k-event batches
was kept whole: each batch saw 8 rows of the other as context, the run did not come back
within them, and it read as a clock restart. A 6 s recording then spanned 12 days (time
range and frames). The batches now see as many neighbouring rows as a run may be long."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from evfocus_live.events import EVENT_DTYPE
from evfocus_live.sources import open_file
from evfocus_live.sources.npy_file import BATCH_EVENTS

N = BATCH_EVENTS + 20_000
RUN = range(BATCH_EVENTS - 10, BATCH_EVENTS + 10)


def _events():
    ev = np.zeros(N, EVENT_DTYPE)
    ev["t"] = np.arange(N, dtype=np.int64) * 10
    ev["x"], ev["y"], ev["p"] = np.arange(N) % 346, np.arange(N) % 260, np.arange(N) % 2
    ev["t"][RUN.start:RUN.stop] += 1 << 40  # (~12.7 days away)
    return ev


def _save(kind, path, ev):
    if kind == "npy":
        np.save(path, ev)
    else:
        with h5py.File(path, "w") as f:
            for c in "txyp":
                f.create_dataset(f"events/{c}", data=ev[c])
            f.attrs["width"], f.attrs["height"] = 346, 260


@pytest.mark.parametrize("kind", ["npy", "h5"])
def test_a_run_across_a_batch_edge_is_left_out(tmp_path, kind):
    path = tmp_path / f"cut.{kind}"
    _save(kind, path, _events())
    with open_file(str(path)) as src:
        assert src.time_range_us() == (0, (N - 1) * 10)
        batches = []
        while (b := src.read()) is not None:
            batches.append(b["t"])
        t = np.concatenate(batches)
        assert len(t) == N - len(RUN) and int(t.max()) == (N - 1) * 10
        assert src.stats["corrupt_times"] == len(RUN)
