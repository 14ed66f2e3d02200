"""Text event files as other tools and locales write them: semicolons (a German or Brazilian
spreadsheet's CSV), decimal commas (``0,000123``), notes before ``W H``, CR-only line ends.
Before, a semicolon file was refused ("first line must be the sensor size"), and a decimal
comma in a space-separated file split t in two: a warning, then x read as y, y as p and all
times 0 (169 of 20,000 events kept)."""

from __future__ import annotations

import numpy as np
import pytest
from reader_support import _read_all

from evfocus_live.errors import InputError
from evfocus_live.sources import open_source
from evfocus_live.sources.text_file import looks_like_events

T_S = [0.000123, 0.0005, 0.0012, 0.00125, 0.0031]
XYP = [(10, 20, 1), (300, 5, 0), (345, 259, 1), (0, 0, 0), (17, 128, 1)]


def _rows(sep: str, decimal: str) -> list[str]:
    return [sep.join([f"{t:.6f}".replace(".", decimal), str(x), str(y), str(p)]) for t, (x, y, p) in zip(T_S, XYP)]


def _check(ev: np.ndarray) -> None:
    assert ev["t"].tolist() == [round(t * 1e6) for t in T_S]
    assert ev["x"].tolist() == [x for x, _, _ in XYP]
    assert ev["y"].tolist() == [y for _, y, _ in XYP]
    assert ev["p"].tolist() == [p for _, _, p in XYP]


@pytest.mark.parametrize("sep, decimal, head", [
    (";", ".", "346;260"), (";", ",", "346;260"), ("\t", ",", "346\t260"), (" ", ",", "346 260"),
    ("; ", ",", "346; 260"),
])
def test_separators_and_decimal_commas(tmp_path, sep, decimal, head):
    p = tmp_path / "Müller São Paulo.CSV"
    p.write_bytes(("\ufeff" + head + "\r\n" + "\r\n".join(_rows(sep, decimal)) + "\r\n").encode())
    assert looks_like_events(p.read_bytes())
    _check(_read_all(p))


@pytest.mark.parametrize("size, sep", [
    ("346,260", ","),                       # plain CSV, decimal points: unchanged
    ("346;260", ","),                       # a ';' in the size line alone: commas stay separators
    ("346x260", " "), ("346 X 260", " "),   # as `evfocus simulate --resolution 346x260` writes a size
])
def test_size_lines_over_decimal_point_rows(tmp_path, size, sep):
    """'WxH' on line 1 was refused."""
    p = tmp_path / "e.csv"
    p.write_text(f"{size}\n" + "\n".join(_rows(sep, ".")) + "\n")
    _check(_read_all(p))


def test_notes_before_the_size_line(tmp_path):
    p = tmp_path / "e.txt"
    p.write_text("# exported by a lab tool\n\n# t x y p\n346 260\n" + "\n".join(_rows(" ", ".")) + "\n\n\n")
    _check(_read_all(p))


def test_bad_row_named_by_its_file_line_after_notes(tmp_path):
    p = tmp_path / "e.txt"
    rows = _rows(" ", ".")
    rows[2] = "0.0012 345 oops 1"
    p.write_text("# a\n# b\n346 260\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError, match="line 6"):
        _read_all(p)


def test_cr_only_line_ends(tmp_path):
    p = tmp_path / "mac.txt"
    p.write_bytes(("346 260\r" + "\r".join(_rows(" ", "."))).encode())
    _check(_read_all(p))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_said_by_name(tmp_path, encoding):
    """Before: "content is not a valid text file", which named no way on."""
    p = tmp_path / "e.txt"
    text = "346 260\r\n" + "\r\n".join(_rows(" ", ".")) + "\r\n"
    p.write_bytes(("\ufeff" + text).encode(encoding) if encoding.endswith("be") else text.encode(encoding))
    with pytest.raises(InputError, match="UTF-16 text .*save it as UTF-8"):
        open_source(str(p))


def test_x_y_t_p_rows_refused_saying_to_reorder(tmp_path):
    """Before: x read as t and t as y, with only a warning that times step back."""
    rng = np.random.default_rng(3)
    t = np.sort(rng.random(200)) * 0.02
    p = tmp_path / "xytp.txt"
    p.write_text("346 260\n" + "".join(f"{rng.integers(346)} {rng.integers(260)} {ti:.6f} {rng.integers(2)}\n"
                                       for ti in t))
    with pytest.raises(InputError, match="look like 'x y t p'.*reorder the columns to t x y p"):
        open_source(str(p))
    p.write_text("346 260\n" + "".join(f"{ti:.6f} {rng.integers(346)} {rng.integers(260)} {rng.integers(2)}\n"
                                       for ti in t))
    assert len(_read_all(p)) == 200


def test_semicolons_with_decimal_commas_past_the_sampled_rows(tmp_path):
    """Rows of whole seconds first (t = 0), decimal commas only later."""
    p = tmp_path / "e.csv"
    p.write_text("346;260\n" + "0;1;1;1\n" * 40 + "\n".join(_rows(";", ",")) + "\n")
    ev = _read_all(p)
    assert len(ev) == 45
    _check(ev[40:])


def test_non_ascii_notes_in_any_encoding(tmp_path):
    p = tmp_path / "e.txt"
    p.write_bytes("# Messung Müller, São Paulo\n346 260\n".encode("cp1252") + "# 実験データ\n".encode()
                  + ("\n".join(_rows(" ", ".")) + "  # Ende\n").encode())
    _check(_read_all(p))


def test_column_names_under_the_size_line(tmp_path):
    """The size put above a CSV's header, as the first line's error says: the names line was
    "malformed event row on line 2: 't' is not a number"."""
    p = tmp_path / "e.csv"
    p.write_text("346;260\nt;x;y;p\n" + "\n".join(_rows(";", ",")) + "\n")
    _check(_read_all(p))
    p.write_text("346 260\nx,y,t,p\n" + "\n".join(",".join(r.split()[i] for i in (1, 2, 0, 3))
                                                   for r in _rows(" ", ".")) + "\n")
    with pytest.raises(InputError, match=r"line 2 names the columns: reorder the columns to t x y p \(they are x y t p\)"):
        open_source(str(p))


def test_pandas_index_column_said(tmp_path):
    """pandas' df.to_csv(path) writes an unnamed index first: with 'W H' added, every t was a
    row number (one warning of 5 columns, then events 1 µs apart)."""
    rows = "".join(f"{i},{r}\n" for i, r in enumerate(_rows(",", ".")))
    p = tmp_path / "e.csv"
    p.write_text(",t,x,y,p\n" + rows)
    with pytest.raises(InputError, match=r"drop the first column, a row index \(pandas: df.to_csv\(path, index=False\)\)"):
        open_source(str(p))
    p.write_text("346 260\n,t,x,y,p\n" + rows)
    with pytest.raises(InputError, match="line 2 names the columns: drop the first column"):
        open_source(str(p))


def test_pandas_index_column_without_names_said(tmp_path):
    """Before: one warning of 5 columns, then t = 0, 1, 2 µs ... (the row numbers)."""
    p = tmp_path / "e.csv"
    p.write_text("346 260\n" + "".join(f"{i},{r}\n" for i, r in enumerate(_rows(",", "."))))
    with pytest.raises(InputError, match=r"first of 5 columns counts the rows \(0, 1, ...\): drop it"):
        open_source(str(p))


def test_comma_space_separated_whole_numbers_unchanged(tmp_path):
    """'123, 12, 34, 1' (µs): the trailing commas are separators, not decimal ones."""
    from evfocus_live.sources.text_file import dialect
    head = b"346, 260\n" + b"".join(b"%d, %d, %d, %d\n" % (t, x, y, p) for t, (x, y, p) in zip([123, 500, 1200], XYP))
    assert dialect(head) is None
    p = tmp_path / "e.csv"
    p.write_bytes(head)
    assert _read_all(p)["t"].tolist() == [123, 500, 1200]


def test_long_note_before_the_size_line(tmp_path):
    p = tmp_path / "e.txt"
    p.write_text("# " + "Messung Müller; " * 100 + "\n346 260\n" + "\n".join(_rows(" ", ".")) + "\n")
    _check(_read_all(p))
