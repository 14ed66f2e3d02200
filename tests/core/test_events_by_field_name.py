"""Events in another record layout (x, y, t, p; int32 fields; -1/+1 polarity) given to the
slicer, the voxel grid or returned by a source plugin were converted with numpy's ``astype``,
which casts records by position: x became t, y became x, and polarity -1 became 255 (ON)."""

from __future__ import annotations

import numpy as np

from evfocus_live.core.slicing import CountSlicer
from evfocus_live.events import as_events
from evfocus_live.plugins import check_events


def _xytp():
    rec = np.zeros(3, dtype=[("x", "<i4"), ("y", "<i4"), ("t", "<i8"), ("p", "i1")])
    rec["x"], rec["y"], rec["t"], rec["p"] = [10, 11, 12], [20, 21, 22], [1000, 2000, 3000], [1, -1, 1]
    return rec


def _check(ev):
    assert ev["t"].tolist() == [1000, 2000, 3000]
    assert ev["x"].tolist() == [10, 11, 12] and ev["y"].tolist() == [20, 21, 22]
    assert ev["p"].tolist() == [1, 0, 1]


def test_as_events_takes_fields_by_name():
    _check(as_events(_xytp(), ValueError))


def test_a_source_plugin_returning_x_y_t_p_records():
    _check(check_events(_xytp(), "plugin"))


def test_the_slicer_takes_x_y_t_p_records_by_name():
    windows = CountSlicer(3).push(_xytp())
    assert len(windows) == 1
    _check(windows[0].events)
