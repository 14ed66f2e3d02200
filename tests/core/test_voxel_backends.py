"""The voxel grid's backends (numba, torch) agree on edge cases: one event, equal times, polarity values."""

from __future__ import annotations

import numpy as np
import pytest
from voxel_reference import reference_voxel

from evfocus_live.core.voxel import voxel_grid
from evfocus_live.events import EVENT_DTYPE


def _events(t, x=None, y=None, p=None) -> np.ndarray:
    n = len(t)
    ev = np.zeros(n, EVENT_DTYPE)
    ev["t"] = t
    ev["x"] = np.arange(n) % 7 if x is None else x
    ev["y"] = np.arange(n) % 5 if y is None else y
    ev["p"] = np.arange(n) % 2 if p is None else p
    return ev


@pytest.mark.parametrize("backend", ["numba", "torch"])
@pytest.mark.parametrize("B", [1, 5])
def test_voxel_of_one_event_and_of_equal_times(backend, B):
    """The torch backend (the GPU's) raised on a one-event window: a [1, 8] slice of the raw
    records counts as contiguous with its 13-byte row stride, and the dtype view failed."""
    for ev in (_events([5], [1], [2], [1]), _events([7] * 20)):
        for normalize in (False, True):
            got = voxel_grid(ev, B, 7, 5, normalize=normalize, backend=backend)
            np.testing.assert_allclose(got.numpy(), reference_voxel(ev, B, 7, 5, normalize), atol=1e-5)


def test_voxel_backends_agree_on_polarity_values_over_one():
    """Any non-zero p is ON in the numba kernel; the torch one took p * 2 - 1 (p = 255: +509)."""
    ev = _events(np.arange(40), p=np.arange(40) % 3 * 100)  # 0, 100, 200
    a = voxel_grid(ev, 5, 7, 5, normalize=False, backend="numba")
    b = voxel_grid(ev, 5, 7, 5, normalize=False, backend="torch")
    np.testing.assert_allclose(b.numpy(), a.numpy(), atol=1e-5)
    assert float(a.abs().max()) <= 40
