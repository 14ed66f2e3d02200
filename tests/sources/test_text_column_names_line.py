"""A CSV whose first line names its columns (pandas, spreadsheets) is refused with what to do:
put the size there, and reorder the columns when they are not t x y p (else x,y,p,t rows
under a size line would be read as t,x,y,p without a word)."""

from __future__ import annotations

import pytest

from evfocus_live.errors import InputError
from evfocus_live.sources import open_file

ROWS = "".join(f"{i},{i % 7},{i % 2},{1000 + 10 * i}\n" for i in range(50))


@pytest.mark.parametrize("names, says", [
    ("x,y,polarity,timestamp", "reorder the columns to t x y p (they are x y p t)"),
    ("X, Y, P, T", "reorder the columns to t x y p (they are x y p t)"),
    ("# x y p t_us", "reorder the columns to t x y p (they are x y p t)"),
    ("t,x,y,p", "it names columns: replace it with the size (e.g. '640 480')\n"),
    ("timestamp(us),x,y,pol", "it names columns: replace it with the size (e.g. '640 480')\n"),
])
def test_column_names_line_says_what_to_do(tmp_path, names, says):
    p = tmp_path / "events.csv"
    p.write_text(names + "\n" + ROWS)
    with pytest.raises(InputError) as info:
        open_file(p)
    assert says.rstrip("\n") in str(info.value)
    assert ("reorder" in str(info.value)) == ("reorder" in says)


def test_other_first_lines_keep_the_plain_message(tmp_path):
    p = tmp_path / "events.csv"
    p.write_text("hello world\n" + ROWS)
    with pytest.raises(InputError, match=r"first line must be the sensor size 'W H'$"):
        open_file(p)
