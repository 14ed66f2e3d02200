"""An epoch-nanosecond time column (ROS bag exports) is told from µs by its first and last 4096
values, all of them >= 1e17; one of them changed by a flipped byte (a bad disk) made the whole
file read as µs, 1000x too long (a 2 s recording read as 2,000 s, its times in the year 55,000).
A few such values (one in 100 of the sample) no longer decide the unit: the file reads as ns and
the changed row is left out as a corrupt time."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from conftest import make_events

from evfocus_live.sources import open_file

N = 20_000
T0_NS = 1_700_000_000_000_000_000


def _save(kind: str, path, t, ev) -> None:
    if kind == "npy":
        np.save(path, np.c_[t, ev["x"], ev["y"], ev["p"]].astype(np.int64))
    elif kind == "h5":
        with h5py.File(path, "w") as f:
            f["events/t"], f["events/x"], f["events/y"], f["events/p"] = t, ev["x"], ev["y"], ev["p"]
            f.attrs["width"], f.attrs["height"] = 346, 260
    else:
        path.write_text("346 260\n" + "".join(f"{a} {b} {c} {d}\n" for a, b, c, d in zip(t, ev["x"], ev["y"], ev["p"])))


@pytest.mark.parametrize("row", [0, N - 1], ids=["first", "last"])
@pytest.mark.parametrize("kind", ["npy", "h5", "txt"])
def test_a_changed_end_row_leaves_the_file_in_ns(tmp_path, kind, row):
    ev = make_events(N, duration_us=2_000_000, seed=5)
    t = ev["t"].astype(np.int64) * 1000 + T0_NS
    t[row] ^= 0x17 << 56  # (its top byte: 1.7e18 -> 2.8e14, below 1e17)
    path = tmp_path / f"rec.{kind}"
    _save(kind, path, t, ev)
    with open_file(path) as src:
        got = np.concatenate(list(src))
        t_range, stats = src.time_range_us(), src.stats
    assert stats["corrupt_times"] == 1 and len(got) == N - 1
    want = np.delete(ev["t"], row) + T0_NS // 1000
    assert np.array_equal(got["t"], want)
    assert t_range == (int(want.min()), int(want.max()))


def test_a_us_file_is_still_us():
    from evfocus_live.sources.npy_file import sample_is_epoch_ns

    assert not sample_is_epoch_ns(np.arange(1_700_000_000_000_000, 1_700_000_000_008_192))  # epoch µs
    assert not sample_is_epoch_ns(np.r_[[T0_NS] * 3, [5] * 3])  # half: not a few corrupt rows
    assert sample_is_epoch_ns(np.r_[[T0_NS] * 8191, [5]]) and sample_is_epoch_ns(np.r_[[T0_NS], [T0_NS]])
