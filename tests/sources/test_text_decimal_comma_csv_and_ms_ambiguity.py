"""Text event files whose numbers are ambiguous.

A comma-separated file written with decimal commas (``0,000123,12,34,1``: Excel under a German
locale) was read with a "5 columns" warning as t = 0, x = the fraction's digits, y = x, p = y:
wrong events. It is refused in one line now. A ``t`` column with at most 3 decimals (``1.234``)
is seconds to the ms or milliseconds to the µs: still read as seconds (E2VID's unit, the
documented rule), but one warning says it with the span both ways; the unit chosen is logged."""

from __future__ import annotations

import logging

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import open_file


def _write(tmp_path, name, header, rows):
    path = tmp_path / name
    path.write_text(header + "".join(rows))
    return path


def test_decimal_commas_in_a_comma_separated_file_are_refused(tmp_path):
    path = _write(tmp_path, "excel.csv", "346,260\n", [f"0,{i:06d},12,34,1\n" for i in range(1, 60)])
    with pytest.raises(InputError) as err:
        open_file(path)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"{path}: row '0,000001,12,34,1' looks written with decimal commas")
    assert "separate the columns with ';'" in msg


def test_decimal_commas_with_semicolons_are_still_read(tmp_path):
    path = _write(tmp_path, "excel.csv", "346;260\n", [f"0,{i:06d};12;34;1\n" for i in range(1, 60)])
    ev = open_file(path).read()
    assert ev["t"][:3].tolist() == [1, 2, 3] and ev["x"][0] == 12 and ev["y"][0] == 34


def test_five_plain_columns_are_still_read(tmp_path):
    path = _write(tmp_path, "five.csv", "346,260\n", [f"{i * 10},12,34,1,7\n" for i in range(1, 60)])
    ev = open_file(path).read()
    assert ev["t"][:3].tolist() == [10, 20, 30] and ev["y"][0] == 34


def test_three_decimals_warn_that_they_may_be_milliseconds(tmp_path, caplog):
    path = _write(tmp_path, "ms.txt", "346 260\n", [f"{1 + i * 0.001:.3f} 12 34 1\n" for i in range(50)])
    with caplog.at_level(logging.INFO, logger="evfocus_live"):
        src = open_file(path)
        ev = src.read()
    assert ev["t"][:2].tolist() == [1_000_000, 1_001_000]  # (seconds: the documented rule holds)
    said = [r for r in caplog.records if "at most 3 decimals" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
    assert "read as seconds" in said[0].getMessage() and "if they are milliseconds" in said[0].getMessage()
    assert src.t_maybe_ms


@pytest.mark.parametrize("fmt, unit", [("{:.6f}", "seconds"), ("{:.0f}", "µs")])
def test_the_unit_chosen_is_logged_and_six_decimals_do_not_warn(tmp_path, caplog, fmt, unit):
    path = _write(tmp_path, "t.txt", "346 260\n", [fmt.format(0.000123 + i * 1.000017) + " 12 34 1\n"
                                                   for i in range(50)])
    with caplog.at_level(logging.DEBUG, logger="evfocus_live"):
        src = open_file(path)
        src.read()
    msgs = [r.getMessage() for r in caplog.records]
    assert any(f"t read as {unit}" in m for m in msgs), msgs
    assert not any("at most 3 decimals" in m for m in msgs) and not src.t_maybe_ms
