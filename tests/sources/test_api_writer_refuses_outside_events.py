"""Writers refuse events outside the sensor they declare, in one ValueError line.

Before, they were written, and reading the file back dropped every one of them with a
warning: a round trip with width and height swapped (or a sensor given too small) made a
file of nothing.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import DAVIS_FILE
from evfocus_live.events import concat
from evfocus_live.sources import open_source
from evfocus_live.writers import Aedat4Writer, Hdf5Writer


@pytest.fixture(scope="module")
def davis_events():
    with open_source(DAVIS_FILE) as src:
        return concat(src), src.resolution


@pytest.mark.parametrize("writer, suffix", [(Aedat4Writer, ".aedat4"), (Hdf5Writer, ".h5")])
def test_a_round_trip_keeps_every_event(tmp_path, davis_events, writer, suffix):
    ev, (w, h) = davis_events
    with writer(tmp_path / f"rt{suffix}", w, h) as wr:
        wr.write(ev)
    with open_source(tmp_path / f"rt{suffix}") as src:
        assert src.resolution == (w, h)
        assert np.array_equal(concat(src), ev)


@pytest.mark.parametrize("writer, suffix", [(Aedat4Writer, ".aedat4"), (Hdf5Writer, ".h5")])
def test_events_outside_the_declared_sensor_are_refused(tmp_path, davis_events, writer, suffix):
    ev, (w, h) = davis_events
    with writer(tmp_path / f"swapped{suffix}", h, w) as wr:  # width and height swapped
        with pytest.raises(ValueError, match=f"outside the {h}x{w} sensor") as err:
            wr.write(ev)
        assert "\n" not in str(err.value)
        wr.write(ev[(ev["x"] < h) & (ev["y"] < w)])  # the writer is still usable



def test_check_bounds_false_writes_them_as_given(tmp_path, davis_events):
    ev, (w, h) = davis_events
    with Aedat4Writer(tmp_path / "stray.aedat4", w - 10, h, check_bounds=False) as wr:
        wr.write(ev[:1000])
    assert wr.events_written == 1000
