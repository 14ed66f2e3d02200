"""A comma-separated file with decimal commas whose x, y and p are floats too (a DataFrame's
columns after a NaN or a merge: ``df.to_csv(path, decimal=",")`` writes ``218,0``) has 8 words a
row: ``0,000123,218,0,15,0,1,0``. The 5th word is y's whole part (not a polarity), so it was not
refused as decimal commas: "rows have 8 columns", then t = 0, x = 123, y = 218, p = 0 for every
event (169 of 3,000 kept, all OFF, at t = 0). Told now by the fractions of x, y and p: "0" in
every such row, where t's vary."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import open_file
from evfocus_live.sources.text_file import decimal_comma_row

_T_US = 1_317 + np.arange(60) * 17
_X, _Y, _P = 10 + np.arange(60) % 300, 20 + np.arange(60) % 200, np.arange(60) % 2


def _float_rows(frac="0"):
    return [f"{t / 1e6:.6f},{x},{frac},{y},{frac},{p},{frac}".replace(".", ",")
            for t, x, y, p in zip(_T_US, _X, _Y, _P)]


@pytest.mark.parametrize("frac", ["0", "000000"])
def test_float_columns_with_decimal_commas_are_refused(tmp_path, frac):
    rows = _float_rows(frac)
    path = tmp_path / "floats.csv"
    path.write_text("346 260\n" + "".join(r + "\n" for r in rows))
    with pytest.raises(InputError) as err:
        open_file(path)
    assert f"row '{rows[0]}' looks written with decimal commas" in str(err.value)


def test_eight_whole_columns_with_a_varying_fourth_are_not():
    rows = [f"{t},{x},{y},{p},{x},{p},{y},{p}" for t, x, y, p in zip(_T_US, _X, _Y, _P)]
    assert decimal_comma_row(("346 260\n" + "".join(r + "\n" for r in rows)).encode()) is None


def test_float_us_times_rising_every_row_are_refused_too():
    """t in µs as a float (``1317888,0``): its whole part rises at every row, as a row index
    does; the "0" fractions of x, y and p tell it all the same."""
    rows = [f"{t},0,{x},0,{y},0,{p},0" for t, x, y, p in zip(1_317_888 + np.arange(60) * 17, _X, _Y, _P)]
    assert decimal_comma_row(("346 260\n" + "".join(r + "\n" for r in rows)).encode()) == rows[0].encode()
