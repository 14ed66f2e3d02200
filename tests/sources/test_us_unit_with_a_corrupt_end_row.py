"""A float µs time column (``np.save`` of ``np.loadtxt`` of a µs file) or a µs text file is told
from seconds by its first and last values being all whole numbers; one of them changed (a low
byte of a float flipped, a text digit turned into a point) made the whole file read as seconds,
1e6x too long (a 2 s recording as 23 days). A few such values (one in 100 of the sample) no
longer decide the unit: the file reads as µs, the changed row off by a fraction of a µs (or, far
off, left out as a corrupt time)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.sources import open_file

N = 20_000


@pytest.mark.parametrize("row", [3, N - 3], ids=["head", "tail"])
@pytest.mark.parametrize("kind", ["npy", "txt"])
def test_a_changed_end_row_leaves_the_file_in_us(tmp_path, kind, row):
    ev = make_events(N, duration_us=2_000_000, seed=5)
    t = (ev["t"] + 1_000).astype(np.float64)
    path = tmp_path / f"rec.{kind}"
    if kind == "npy":
        b = bytearray(t[row:row + 1].tobytes())
        b[0] ^= 0x5A  # (the lowest mantissa byte: a fraction of a µs off)
        t[row] = np.frombuffer(bytes(b), np.float64)[0]
        np.save(path, np.c_[t, ev["x"], ev["y"], ev["p"]])
    else:
        rows = [f"{int(a)} {b} {c} {d}\n" for a, b, c, d in zip(t, ev["x"], ev["y"], ev["p"])]
        rows[row] = rows[row][:2] + "." + rows[row][3:]  # (a digit turned into a point)
        path.write_text("346 260\n" + "".join(rows))
    assert t[row] != round(t[row]) or kind == "txt"
    with open_file(path) as src:
        got = np.concatenate(list(src))
        lo, hi = src.time_range_us()
    assert hi - lo < 2_100_000  # (µs: as seconds, 2e12)
    keep = np.arange(N) != row
    # (the changed row is kept, a fraction of a µs or a few ms off, or left out as a corrupt time
    # when far off: 20.0947 µs among times of 2 s)
    assert len(got) == N or src.stats["corrupt_times"] == 1
    assert np.array_equal(got["t"][keep[:len(got)]] if len(got) == N else got["t"], ev["t"][keep] + 1_000)


def test_seconds_stay_seconds():
    from evfocus_live.sources.npy_file import float_t_is_seconds

    t = np.r_[np.zeros(4096), np.linspace(1.0, 2.0, 4096)]  # (a seconds file starting at 0.0 for long)
    assert float_t_is_seconds(None, len(t), "x", sample=t)
    assert float_t_is_seconds(None, 50, "x", sample=np.r_[np.arange(49.0), [49.5]])  # (too few to spare one)
