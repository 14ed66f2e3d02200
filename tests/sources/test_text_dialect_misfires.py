"""Where the decimal-comma swap of a text event file misfired: µs written with a thousands
separator ("1,000 12 34 1") were read as 1 µs, 1000 times too early and in silence (before the
swap the five columns were said), and a size line "346,260" above semicolon rows became
"346.260" and was refused as no size."""

from __future__ import annotations

import logging

from reader_support import _read_all  # (a 346x260 file's events)

from evfocus_live.sources import open_source
from evfocus_live.sources.text_file import dialect


def test_thousands_separators_are_not_read_as_decimal_commas(tmp_path, caplog):
    t_us = [1_000, 1_250, 2_500, 3_125, 4_000]
    rows = [f"{t:,} {10 + i} {20 + i} {i % 2}" for i, t in enumerate(t_us)]
    path = tmp_path / "thousands.txt"
    path.write_text("346 260\n" + "\n".join(rows) + "\n")
    assert dialect(path.read_bytes()) is None
    with caplog.at_level(logging.WARNING):
        _read_all(path)
    assert "thousands separators" in caplog.text


def test_decimal_commas_still_read_in_a_space_separated_file(tmp_path):
    path = tmp_path / "de.txt"
    path.write_text("346 260\n0,000123 10 20 1\n0,000500 30 40 0\n0,001200 50 60 1\n")
    assert _read_all(path)["t"].tolist() == [123, 500, 1200]


def test_a_comma_size_line_above_semicolon_rows(tmp_path):
    path = tmp_path / "de.csv"
    path.write_bytes(b"346,260\n0,000123;10;20;1\n0,000500;30;40;0\n")
    src = open_source(str(path))
    assert (src.width, src.height) == (346, 260)
    src.close()
    assert _read_all(path)["t"].tolist() == [123, 500]
