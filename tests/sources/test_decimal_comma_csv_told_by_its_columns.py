"""A comma-separated file with decimal commas was told by a fraction written with a leading zero
(``0,000123``) in its first 20 rows: a recording from t = 1.3 s (``1,317888,237,121,1``) was not
refused, and read as t = 1 µs, x = 317888, ... (every event off the sensor), while a real
5-column file with zero-padded x/y (``1318024,0146,0463,1,7``) was refused by mistake. It is told
now by its columns: read as ``t x y p`` the fourth holds y (not a polarity) and the fifth a polarity."""

from __future__ import annotations

import numpy as np
import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import open_file

_T_US = 1_317_888 + np.arange(60) * 17
_X, _Y, _P = np.arange(60) % 640, 100 + np.arange(60) % 300, np.arange(60) % 2


def _csv(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("640,480\n" + "".join(r + "\n" for r in rows))
    return path


def _read_all(path):
    with open_file(path) as src:
        out = []
        while (b := src.read()) is not None:
            out.append(b)
    return np.concatenate(out)


def test_decimal_commas_without_a_leading_zero_are_refused(tmp_path):
    rows = [f"{t / 1e6:.6f}".replace(".", ",") + f",{x},{y},{p}" for t, x, y, p in zip(_T_US, _X, _Y, _P)]
    path = _csv(tmp_path, "spinner.csv", rows)
    with pytest.raises(InputError) as err:
        open_file(path)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"{path}: row '1,317888,0,100,0' looks written with decimal commas")
    assert "t = '1,317888'?" in msg


@pytest.mark.parametrize("t_fmt", ["{}", "{:010d}"])
def test_zero_padded_five_columns_are_read(tmp_path, t_fmt):
    rows = [t_fmt.format(t) + f",{x:04d},{y:04d},{p},7" for t, x, y, p in zip(_T_US, _X, _Y, _P)]
    ev = _read_all(_csv(tmp_path, "padded.csv", rows))
    assert ev["t"].tolist() == _T_US.tolist() and ev["x"].tolist() == _X.tolist()
    assert ev["y"].tolist() == _Y.tolist() and ev["p"].tolist() == _P.tolist()


def test_a_pandas_row_index_is_still_named_as_one(tmp_path):
    rows = [f"{i},{t},{x},{y},{p}" for i, (t, x, y, p) in enumerate(zip(_T_US, _X, _Y, _P))]
    path = _csv(tmp_path, "pandas.csv", rows)
    with pytest.raises(InputError, match="counts the rows"):
        _read_all(path)
