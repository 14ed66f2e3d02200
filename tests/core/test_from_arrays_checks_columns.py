"""``events.from_arrays`` (README: packs columns, for events from anywhere) refuses columns it
would have packed wrong in silence: numpy's casts truncated float seconds to t = 0, wrapped
x = -1 to pixel 65535 and broadcast a one-element column over all events."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.events import EVENT_DTYPE, from_arrays


@pytest.mark.parametrize("cols, words", [
    (([0.001, 0.002], [1, 2], [1, 2], [1, 0]), ["t_us must be whole microseconds", "0.001", "t_s * 1e6"]),
    (([1, np.nan], [1, 2], [1, 2], [1, 0]), ["t_us must be whole microseconds", "nan"]),
    (([1, 2], [-1, 3], [1, 2], [1, 0]), ["x must be pixels in 0..65535", "-1..3"]),
    (([1, 2], [1, 3], [1, 70000], [1, 0]), ["y must be pixels in 0..65535"]),
    (([1, 2], [1.0, 3.5], [1, 2], [1, 0]), ["x must be whole pixels", "3.5"]),
    (([1, 2], [1], [1, 2], [1, 0]), ["one length", "x (1,)"]),
    (([1, 2, 3], [1, 2, 3], [1, 2, 3], 1), ["one length", "p ()"]),
], ids=["seconds", "nan", "negative-x", "huge-y", "fractional-x", "short-x", "scalar-p"])
def test_columns_it_would_pack_wrong_are_one_line(cols, words):
    with pytest.raises(ValueError) as err:
        from_arrays(*cols)
    text = str(err.value)
    assert text.startswith("from_arrays: ") and "\n" not in text
    for w in words:
        assert w in text, (w, text)


def test_whole_numbers_of_any_dtype_still_pack():
    ev = from_arrays(np.array([1.0, 2e6]), np.array([0, 345], np.int64), np.array([0.0, 259.0]),
                     np.array([True, False]))
    assert ev.dtype == EVENT_DTYPE
    assert ev.tolist() == [(1, 0, 0, 1), (2_000_000, 345, 259, 0)]
    assert len(from_arrays([], [], [], [])) == 0
