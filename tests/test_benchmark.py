"""The benchmark's building blocks are correct (its timings are not tested: speed lives in bench)."""

import numpy as np
import torch

from evfocus_live import benchmark
from evfocus_live.core.voxel import voxel_grid
from conftest import make_events


def test_tile_events_keeps_order_and_spatial_content():
    ev = make_events(500, duration_us=1000)
    tiled = benchmark.tile_events(ev, 3)
    assert len(tiled) == 1500
    assert np.all(np.diff(tiled["t"]) >= 0)
    assert tiled["t"][-1] - tiled["t"][0] > 2 * (ev["t"][-1] - ev["t"][0])
    assert np.array_equal(np.sort(tiled["x"][:500]), np.sort(ev["x"]))


def test_naive_voxel_baseline_matches_the_real_voxel_grid():
    ev = make_events(3000, 64, 48, duration_us=5000)
    ref = benchmark.naive_voxel(ev, 5, 64, 48)
    ours = voxel_grid(ev, 5, 64, 48, normalize=False)
    assert torch.allclose(ours, torch.from_numpy(ref), atol=1e-4)


def test_format_table_lists_every_row():
    result = {"machine": {"cpu_count": 2, "torch_threads": 2, "torch": "x", "cuda": False, "peak_rss_mb": 1.0},
              "rows": [benchmark.Row("read", "346x260", 40.0, "Mev/s", "dv", 0.95).as_dict(),
                       benchmark.Row("model forward", "346x260", 31.0, "frames/s", extra={"model": "evfocus"}).as_dict()]}
    table = benchmark.format_table(result)
    assert "| read | 346x260 |" in table and "0.95x" in table and "evfocus" in table
