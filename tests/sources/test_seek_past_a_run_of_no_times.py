"""A run of rows whose float ``t`` is no time (NaN: a 4 KiB sector of 0xFF bytes is 256 rows of
a 16-byte row) is left out as corrupt times. A seek's bisection that probed inside a run wider
than the rows it reads around a probe read the probe as INT64_MIN (before every time) and went
right: a seek to 0.3 s landed at 0.502 s, past the run. The probe reads the nearest time now."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.sources import open_source
from evfocus_live.sources.corrupt_times import NOT_A_TIME_US, robust_t_at

N = 100_000
RUN = slice(49_800, 50_200)  # (the bisection's first probe, row 50,000, is in it)


@pytest.fixture
def nan_run(tmp_path):
    a = np.zeros(N, dtype=[("x", "<u2"), ("y", "<u2"), ("t", "<f8"), ("p", "i1")])
    a["x"], a["y"], a["p"] = np.arange(N) % 64, np.arange(N) // 64 % 48, 1
    a["t"] = np.arange(N) * 1e-5  # (seconds: 10 µs apart)
    a["t"][RUN] = np.nan
    path = tmp_path / "nan_run.npy"
    np.save(path, a)
    return path


@pytest.mark.parametrize("t_us", [300_000, 497_990, 502_000, 800_000])
def test_a_seek_lands_where_it_was_asked_across_the_run(nan_run, t_us):
    src = open_source(str(nan_run))
    try:
        src.seek(t_us)
        batch = src.read()
        assert int(batch["t"][0]) == t_us
    finally:
        src.close()


def test_a_probe_in_the_run_reads_the_time_before_it():
    t = np.arange(N, dtype=np.int64) * 10
    t[RUN] = NOT_A_TIME_US
    assert robust_t_at(lambda i, j: t[i:j], N, 50_000) == (RUN.start - 1) * 10
    t[:RUN.stop] = NOT_A_TIME_US  # (none before it: the one after it)
    assert robust_t_at(lambda i, j: t[i:j], N, 50_000) == RUN.stop * 10
