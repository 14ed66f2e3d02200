"""``--at`` files of ``index,t_us`` rows that main read: the decimal-comma rule took only an
index counting up by one as rows, so frames dropped (``0,0 2,33000``) or every 10th kept
(``10,1000 20,2000``) became "not a whole number of µs". Rows are ``index,t_us`` where both go
up; a ``1,500 3,000`` column (thousands separators, or rows whose times go back) was read as
index 1 at 500 µs and index 3 at 0 µs without a word, and is refused in one line."""

from __future__ import annotations

import pytest

from evfocus_live.core.slicing import read_timestamps
from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("text, want", [("0,0\n2,33000\n4,66000\n", [0, 33000, 66000]),
                                        ("10,1000\n20,2000\n30,3000\n", [1000, 2000, 3000]),
                                        ("0,-1000\n1,0\n2,1000\n", [-1000, 0, 1000])],
                         ids=["frames-dropped", "every-10th", "negative-t"])
def test_index_comma_rows_with_an_index_that_goes_up(tmp_path, text, want):
    at = tmp_path / "at.txt"
    at.write_text(text)
    assert read_timestamps(at).tolist() == want


def test_decimal_commas_repeating_a_whole_part_are_seconds(tmp_path):
    at = tmp_path / "at.txt"
    at.write_text("0,5\n1,5\n")  # (0.5 s, 1.5 s; was index 0 and 1, both at 5 µs)
    with pytest.raises(ConfigError, match=r"'0\.5' is not a whole number of µs"):
        read_timestamps(at)


@pytest.mark.parametrize("text", ["1,500\n3,000\n", "1,500,000\n3,000,000\n"])
def test_thousands_separators_are_refused_in_one_line(tmp_path, text):
    at = tmp_path / "at.txt"
    at.write_text(text)
    with pytest.raises(ConfigError, match=r"at.txt:1: '1,500[,0]*' has a thousands separator"):
        read_timestamps(at)
