"""A pandas row index of a filtered DataFrame (``df[df.p == 1].to_csv(path)``: labels 1, 4, 7, ...,
rising but not by 1) in a comma-separated file was refused as decimal commas ("t = '1,1633953690975950'?",
a 16-digit fraction), though no number in it is written with a decimal comma. The first column of
a decimal-comma file is t's whole seconds, which repeat from row to row (many events a second);
one that rises at every sampled row counts rows, as the index that counts by 1 (said elsewhere)."""

from __future__ import annotations

import numpy as np

from evfocus_live.sources import open_file
from evfocus_live.sources.text_file import decimal_comma_row

_T_US = 1_633_953_690_975_950 + np.arange(60) * 7
_X, _Y, _P = 10 + np.arange(60) % 300, 20 + np.arange(60) % 200, np.arange(60) % 2


def _rows(labels):
    return [f"{i},{t},{x},{y},{p}" for i, t, x, y, p in zip(labels, _T_US, _X, _Y, _P)]


def test_rising_row_labels_are_not_decimal_commas():
    head = ("346 260\n" + "".join(r + "\n" for r in _rows(1 + 3 * np.arange(60)))).encode()
    assert decimal_comma_row(head) is None


def test_a_filtered_pandas_csv_is_not_refused_as_decimal_commas(tmp_path):
    path = tmp_path / "on_only.csv"
    path.write_text("346 260\n" + "".join(r + "\n" for r in _rows(1 + 3 * np.arange(60))))
    try:
        with open_file(path) as src:
            while src.read() is not None:
                pass
    except Exception as exc:  # (what else it says of the extra column is not this test's matter)
        assert "decimal commas" not in str(exc)


def test_whole_seconds_repeating_are_still_decimal_commas():
    rows = [f"{t / 1e6:.6f}".replace(".", ",") + f",{x},{y},{p}" for t, x, y, p in
            zip(1_317_888 + np.arange(60) * 17, _X, _Y, _P)]
    head = ("346 260\n" + "".join(r + "\n" for r in rows)).encode()
    assert decimal_comma_row(head) == rows[0].encode()


def test_rising_whole_us_with_written_fractions_are_still_decimal_commas():
    """t in µs as a float, written by printf's %f under a German locale (``1317888,000000``):
    its whole part rises at every row as an index does, its fraction is written zero-padded as
    no row label's time is."""
    rows = [f"{t},000000,{x},{y},{p}" for t, x, y, p in zip(1_317_888 + np.arange(60) * 17, _X, _Y, _P)]
    head = ("346 260\n" + "".join(r + "\n" for r in rows)).encode()
    assert decimal_comma_row(head) == rows[0].encode()
