"""``SimConfig(width=32.0)``: the kind check took a whole float as a whole number, and the
simulation then failed in numpy ('float' object cannot be interpreted as an integer, a
traceback). A sensor size is an int (numpy's too), else the one ConfigError line."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.errors import ConfigError
from evfocus_live.simulate import SimConfig, simulate_sequence


@pytest.mark.parametrize("size", [dict(width=32.0, height=24), dict(width=32, height=np.float64(24))])
def test_a_float_sensor_size_is_one_line(size):
    with pytest.raises(ConfigError, match=r"SimConfig\.(width|height) must be a whole number"):
        simulate_sequence(SimConfig(duration_s=0.05, **size), 0)


def test_numpy_ints_are_still_taken():
    assert simulate_sequence(SimConfig(duration_s=0.05, width=np.int64(32), height=np.int32(24)), 0).width == 32
