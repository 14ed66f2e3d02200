"""Voxel grid against a direct per-event reference loop; normalisation; padding."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import make_events
from voxel_reference import reference_voxel

from evfocus_live.core.voxel import crop, normalize_voxel, pad_to_multiple, voxel_grid
from evfocus_live.events import EVENT_DTYPE


@pytest.mark.parametrize("backend", ["numba", "torch"])
@pytest.mark.parametrize("B,W,H,n,seed", [(5, 17, 11, 300, 0), (3, 40, 30, 2000, 1), (1, 8, 8, 50, 2),
                                          (5, 346, 260, 3000, 3)])
def test_matches_reference(backend, B, W, H, n, seed):
    ev = make_events(n, width=W, height=H, duration_us=50_000, seed=seed)
    for normalize in (False, True):
        got = voxel_grid(ev, B, W, H, normalize=normalize, backend=backend)
        assert got.shape == (B, H, W) and got.dtype == torch.float32
        ref = reference_voxel(ev, B, W, H, normalize)
        np.testing.assert_allclose(got.numpy(), ref, atol=2e-4, rtol=1e-4)


def test_normalised_stats_and_polarity():
    ev = make_events(5000, width=64, height=48, seed=4)
    vox = voxel_grid(ev, 5, 64, 48)
    nz = vox[vox != 0]
    assert abs(float(nz.mean())) < 1e-4 and abs(float(nz.std(unbiased=False)) - 1) < 1e-3
    # two events on one pixel: ON at the start, OFF at the end
    two = np.zeros(2, EVENT_DTYPE)
    two["t"] = [0, 100]
    two["x"], two["y"], two["p"] = 3, 2, [1, 0]
    raw = voxel_grid(two, 5, 8, 8, normalize=False)
    assert raw[0, 2, 3] == 1.0 and raw[4, 2, 3] == -1.0 and float(raw.abs().sum()) == 2.0


def test_unsorted_outofbounds_and_empty():
    ev = make_events(400, width=20, height=10, seed=5)
    shuffled = ev[np.random.default_rng(0).permutation(len(ev))]
    for backend in ("numba", "torch"):
        a = voxel_grid(ev, 5, 20, 10, backend=backend)
        b = voxel_grid(shuffled, 5, 20, 10, backend=backend)
        assert torch.allclose(a, b, atol=1e-5)
        wide = ev.copy()
        wide["x"][:10] = 500  # out of the sensor: ignored
        wide["y"][10:15] = 40_000  # beyond int16 too (the torch path reads raw uint16 bytes)
        ref = reference_voxel(wide, 5, 20, 10)
        np.testing.assert_allclose(voxel_grid(wide, 5, 20, 10, backend=backend).numpy(), ref, atol=2e-4)
        strided = np.repeat(wide, 2)[::2]  # not contiguous: the column-by-column path
        assert not strided.flags.c_contiguous
        np.testing.assert_allclose(voxel_grid(strided, 5, 20, 10, backend=backend).numpy(), ref, atol=2e-4)
    z = voxel_grid(np.empty(0, EVENT_DTYPE), 5, 20, 10)
    assert z.shape == (5, 10, 20) and not z.any()
    one = voxel_grid(ev[:1], 5, 20, 10)  # a single event: zero span, no NaN
    assert torch.isfinite(one).all()


@pytest.mark.parametrize("backend", ["numba", "torch"])
def test_window_spanning_more_than_int64_stays_in_bounds(backend):
    """Timestamps from -5e18 to +5e18 us (a corrupt or hostile file): the span overflows
    int64, which once gave a negative bin index and a heap-corrupting write in the numba
    kernel. Every event lands in bin 0..B-1, as the float64 reference puts it."""
    ev = np.zeros(4, EVENT_DTYPE)
    ev["t"] = [-5 * 10 ** 18, -10 ** 18, 10 ** 18, 5 * 10 ** 18]
    ev["x"], ev["y"], ev["p"] = [0, 1, 2, 3], 1, [1, 0, 1, 1]
    got = voxel_grid(ev, 5, 4, 2, normalize=False, backend=backend).numpy()
    span = 10.0 ** 19
    ref = np.zeros((5, 2, 4))
    for e in ev:
        ts = 4 * (float(e["t"]) + 5e18) / span
        ti = min(int(ts), 4)
        ref[ti, 1, e["x"]] += (1 if e["p"] else -1) * (1 - (ts - ti))
        if ti < 4:
            ref[ti + 1, 1, e["x"]] += (1 if e["p"] else -1) * (ts - ti)
    np.testing.assert_allclose(got, ref, atol=1e-5)
    assert float(np.abs(got).sum()) == pytest.approx(4.0)


def test_normalize_constant_grid_is_finite():
    v = torch.zeros(2, 3, 3)
    v[0, 0, 0] = v[1, 1, 1] = 2.0
    out = normalize_voxel(v)
    assert torch.isfinite(out).all() and float(out.abs().sum()) == 0.0


@pytest.mark.parametrize("H,W", [(260, 346), (720, 1280), (8, 8), (1, 3)])
def test_pad_and_crop(H, W):
    x = torch.randn(1, 5, H, W)
    p, size = pad_to_multiple(x, 8)
    assert p.shape[-2] % 8 == 0 and p.shape[-1] % 8 == 0
    assert p.shape[-2] - H < 8 and p.shape[-1] - W < 8
    assert size == (H, W)
    assert torch.equal(crop(p, size), x)
    assert float(p[..., H:, :].abs().sum()) == 0.0

