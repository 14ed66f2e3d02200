"""A file whose x (or y) column holds no usable value at all (all NaN): one line naming the
column, not "invalid sensor size 0x1 inferred from the data"."""

import numpy as np
import pytest

from evfocus_live.sources import open_source
from evfocus_live.sources.base import InputError


@pytest.mark.parametrize("col, name", [(1, "x"), (2, "y")])
def test_an_all_nan_coordinate_column_is_named(tmp_path, col, name):
    a = np.zeros((200, 4))
    a[:, 0] = np.arange(200)
    a[:, 1], a[:, 2] = 5, 7
    a[:, col] = np.nan
    path = tmp_path / "ev.npy"
    np.save(path, a)
    with pytest.raises(InputError, match=f"no {name} value in the file is a pixel coordinate"):
        open_source(str(path))


def test_a_usable_file_still_opens(tmp_path):
    a = np.zeros((200, 4))
    a[:, 0] = np.arange(200)
    a[:, 1], a[:, 2] = 5, 7
    path = tmp_path / "ev.npy"
    np.save(path, a)
    src = open_source(str(path))
    assert (src.width, src.height) == (6, 8)
    src.close()
