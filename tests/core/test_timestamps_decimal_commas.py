"""An ``--at`` file from a German spreadsheet (decimal commas: ``0,5``, ``1;0,5``) was read with
its commas as separators: ``0,5`` became index 0 at 5 µs, frames at times nobody asked for
without a word, and ``0 0,5`` or ``1;0,5`` a "got ..." refusal of the row. The event text
files' decimal-comma rule reads them now: a time in seconds is refused as ``0.5`` is, a
whole number of µs written ``1500000,0`` is read. ``index,t_us`` rows keep their commas."""

from __future__ import annotations

import pytest

from evfocus_live.core.slicing import read_timestamps
from evfocus_live.errors import ConfigError


@pytest.mark.parametrize("text", ["0,5\n1,0\n1,5\n", "1;0,5\n2;1,0\n", "0 0,5\n1 1,5\n", "0,25\n"],
                         ids=["column", "semicolons", "index-space", "one-row"])
def test_decimal_comma_seconds_are_refused_as_seconds(tmp_path, text):
    at = tmp_path / "at.txt"
    at.write_text(text)
    with pytest.raises(ConfigError, match=r"at.txt:1: '0\.[0-9]+' is not a whole number of µs \(a file in seconds"):
        read_timestamps(at)


@pytest.mark.parametrize("text", ["1500000,0\n1600000,0\n", "1;1500000,0\n2;1600000,0\n"])
def test_whole_microseconds_with_a_decimal_comma(tmp_path, text):
    at = tmp_path / "at.txt"
    at.write_text(text)
    assert read_timestamps(at).tolist() == [1_500_000, 1_600_000]


@pytest.mark.parametrize("text", ["0,1500000\n1,1533333\n", "1, 1500000\n2, 1533333\n"], ids=["from-0", "from-1"])
def test_index_comma_time_rows_keep_their_separator(tmp_path, text):
    at = tmp_path / "at.txt"
    at.write_text(text)
    assert read_timestamps(at).tolist() == [1_500_000, 1_533_333]
