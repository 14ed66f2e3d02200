"""``voxel_grid`` and a slicer's ``push``, called by hand (README's "The same by hand, for
events from anywhere"), refuse what is not events in one line that says what events are.

A plain N x 4 array reached numba and raised a page of its typing error (with terminal
colour codes), a list an AttributeError, and a slicer an IndexError from ``batch["t"]``.
"""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.config import WindowConfig
from evfocus_live.core.slicing import make_slicer
from evfocus_live.core.voxel import voxel_grid
from evfocus_live.events import EVENT_DTYPE, from_arrays

NOT_EVENTS = [
    (np.zeros((6, 4)), "a float64 array of shape 6x4"),
    ([(1, 2, 3, 1)], "a list"),
    (np.zeros(3, dtype=[("t", "f8"), ("x", "i4"), ("y", "i4"), ("p", "i1")]), "fields t float64"),
    (np.zeros(3, dtype=[("ts", "i8"), ("x", "i4")]), "fields ts int64, x int32"),
]


@pytest.mark.parametrize("bad, what", NOT_EVENTS, ids=["Nx4", "list", "float-t", "other-names"])
def test_voxel_grid_refuses_what_is_not_events(bad, what):
    with pytest.raises(TypeError) as err:
        voxel_grid(bad, 5, 8, 8)
    text = str(err.value)
    assert "\n" not in text and text.startswith("voxel_grid: events must be")
    assert "EVENT_DTYPE" in text and what in text and "from_arrays" in text


@pytest.mark.parametrize("mode", ["duration", "events", "adaptive"])
@pytest.mark.parametrize("bad, what", NOT_EVENTS, ids=["Nx4", "list", "float-t", "other-names"])
def test_a_slicer_refuses_what_is_not_events(mode, bad, what):
    slicer = make_slicer(WindowConfig(mode=mode, window_ms=1, window_events=2), 8, 8)
    with pytest.raises(TypeError) as err:
        slicer.push(bad)
    text = str(err.value)
    assert "\n" not in text and ".push: a batch must be" in text and what in text


def test_events_of_other_integer_widths_are_still_taken():
    ev = from_arrays([0, 400, 900, 1500], [1, 2, 3, 4], [1, 2, 3, 4], [1, 0, 1, 1])
    wide = ev.astype([("t", "i8"), ("x", "i4"), ("y", "i4"), ("p", "i2")])
    assert np.array_equal(voxel_grid(wide, 5, 8, 8).numpy(), voxel_grid(ev, 5, 8, 8).numpy())
    a = make_slicer(WindowConfig(mode="duration", window_ms=1), 8, 8)
    b = make_slicer(WindowConfig(mode="duration", window_ms=1), 8, 8)
    got, want = a.push(wide) + a.flush(), b.push(ev) + b.flush()
    assert [(w.t_us, w.events.tolist()) for w in got] == [(w.t_us, w.events.tolist()) for w in want]
    assert all(w.events.dtype == EVENT_DTYPE for w in got)
    assert make_slicer(WindowConfig(mode="duration", window_ms=1), 8, 8).push(None) == []
