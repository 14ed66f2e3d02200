"""The text (.txt/.csv) reader: comments, headers, bad rows, BOMs, variants of the format."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_events

from evfocus_live.cli import main
from evfocus_live.errors import InputError
from evfocus_live.sources import hdf5_file, npy_file, open_file, open_source
from evfocus_live.sources.text_file import TextFileSource


@pytest.mark.parametrize("body", ["", "# only a comment\n\n", "0.000012 3 4"])
def test_text_without_rows_fails_at_open(tmp_path, body):
    """A header-only text file read as an empty stream: `evfocus reconstruct` wrote
    0 frames and exit 0 where an empty .npy or .h5 gives one line and exit 2."""
    p = tmp_path / "e.txt"
    p.write_text("346 260\n" + body)  # the last case: the only row is cut
    with pytest.raises(InputError, match="contains no events"):
        open_file(p)


def test_text_rows_after_long_comment_block_still_read(tmp_path):
    p = tmp_path / "e.txt"
    p.write_text("346 260\n" + "# padding line of a long preamble\n" * 5000 + "0.5 1 2 1\n")
    with TextFileSource(p) as src:  # (detection looks at the first 4 KiB only)
        ev = np.concatenate(list(src))
    assert ev.tolist() == [(500_000, 1, 2, 1)]


def test_text_inline_comments_are_comments(tmp_path):
    """'#' starts a comment (module docstring): a file with inline comments was refused as
    'not a valid text file', and its last row (no newline) dropped as truncated."""
    ev = make_events(50, seed=2)
    rows = [f"{t / 1e6:.6f} {x} {y} {p}  # note {i}" for i, (t, x, y, p) in enumerate(ev.tolist())]
    p = tmp_path / "c.txt"
    p.write_text("346 260  # DAVIS346\n" + "\n".join(rows))  # no newline after the last row
    with open_file(p) as src:
        got = np.concatenate(list(src))
    assert np.array_equal(got, ev)


def test_text_without_size_line_says_what_is_missing(tmp_path):
    """An ECD-style events.txt (rows only) was refused as 'content is not a valid text
    file'; the one line now names the missing 'W H' first line."""
    p = tmp_path / "events.txt"
    p.write_text("0.000001 1 2 1\n0.000002 3 4 0\n")
    with pytest.raises(InputError, match="first line must be the sensor size 'W H'; it is an event row"):
        open_file(p)


def test_text_file_rewritten_shorter_while_read_ends_instead_of_spinning(tmp_path, caplog):
    """read() returned empty batches forever (never None) once the file got shorter than
    its size at opening: the replay hung. (It then ended with a warning; since s21 it is one
    InputError, as for the other readers: the events after the cut are lost.)"""
    p = tmp_path / "e.txt"
    p.write_text("346 260\n" + "".join(f"{i / 1e6:.6f} 1 2 1\n" for i in range(3000)))
    src = TextFileSource(p, block_bytes=4096)
    assert len(src.read())
    data = p.read_bytes()
    p.write_bytes(data[:data.index(b"\n", 10_000) + 1])
    with pytest.raises(InputError, match="the file shrank while being read"):
        for _ in range(50):
            if src.read() is None:
                break
    src.close()


def _all(src):
    with src:
        return np.concatenate(list(src))


@pytest.mark.parametrize("second_line, match", [
    ("x y t p", "line 2 names the columns: reorder"),  # a column header under 'W H' (t x y p: skipped)
    ("1 2 3", "line 3: 4 columns where the rows before have 3"),
    ("1 a 3 1", "line 2: 'a' is not a number"),
])
def test_bad_row_in_the_first_lines_is_named(tmp_path, capsys, second_line, match):
    """A bad row in the sniffed head of a .txt/.csv named its line like one further down,
    not "content is not a valid text file"."""
    p = tmp_path / "e.txt"
    p.write_text(f"346 260\n{second_line}\n1 2 3 1\n2 3 4 0\n")
    assert main(["info", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and match in err, err


def test_csv_with_a_column_header_and_no_size_says_what_is_missing(tmp_path, capsys):
    p = tmp_path / "pandas.csv"  # df.to_csv(): index column and a header row
    p.write_text(",t,x,y,p\n0,10,1,2,1\n1,20,3,4,0\n")
    assert main(["info", str(p)]) == 2
    err = capsys.readouterr().err
    assert "first line must be the sensor size 'W H'" in err, err


def test_utf8_bom_text_file_reads(tmp_path):
    """Excel's "CSV UTF-8" starts with a byte order mark: read, not "not a valid text file"."""
    ev = make_events(500, seed=8)
    body = "346,260\r\n" + "".join(f"{t},{x},{y},{q}\r\n" for t, x, y, q in ev.tolist())
    for name in ("bom.csv", "bom.events"):  # by extension and by content
        p = tmp_path / name
        p.write_bytes(b"\xef\xbb\xbf" + body.encode())
        src = open_file(p)
        assert (src.width, src.height) == (346, 260)
        assert np.array_equal(_all(src), ev)


def test_binary_junk_named_txt_is_still_not_a_valid_text_file(tmp_path):
    p = tmp_path / "junk.txt"
    p.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError, match="not a valid text file"):
        open_file(p)


def test_text_bad_row_past_the_head_yields_the_good_rows_of_its_block_first(tmp_path):
    """A bad row far into a text file threw away the good rows before it in the same 4 MiB
    block (~250 k events read as 0 frames); they are events: they come first, then the error."""
    n, bad_at = 60_000, 50_000
    t = np.arange(n) * 10
    rows = [f"{t[i]} {i % 346} {i % 260} {i % 2}" for i in range(n)]
    rows[bad_at] = "1 2 bogus 4"
    p = tmp_path / "ev.txt"
    p.write_text("346 260\n" + "\n".join(rows) + "\n")
    got = []
    with open_source(p) as src:
        with pytest.raises(InputError, match=f"malformed event row on line {bad_at + 2}: 'bogus'"):
            for b in src:
                got.append(b)
    ev = np.concatenate(got)
    assert len(ev) == bad_at and np.array_equal(ev["t"], t[:bad_at])


@pytest.fixture
def _small_batches(monkeypatch):
    monkeypatch.setattr(npy_file, "BATCH_EVENTS", 1000)
    monkeypatch.setattr(hdf5_file, "BATCH_EVENTS", 1000)


EV = make_events(2000, 346, 260, t0_us=1_000_000, duration_us=500_000, seed=4)


@pytest.mark.usefixtures("_small_batches")
@pytest.mark.parametrize("case", ["crlf", "comments", "us", "us_crlf", "csv_tabs", "bom_crlf"])
def test_text_variants(tmp_path, case):
    sec = [f"{t / 1e6:.6f} {x} {y} {p}" for t, x, y, p in EV.tolist()]
    us = [f"{t} {x} {y} {p}" for t, x, y, p in EV.tolist()]
    text = {
        "crlf": "346 260\r\n" + "\r\n".join(sec) + "\r\n",
        "comments": "346 260 # DAVIS\n# t x y p\n" + "\n".join(sec[:999]) + "\n# gap\n\n"
                    + "\n".join(sec[999:]) + "\n",
        "us": "346 260\n" + "\n".join(us) + "\n",
        "us_crlf": "346 260\r\n" + "\r\n".join(us) + "\r\n",
        "csv_tabs": "346,260\n" + "\n".join(r.replace(" ", "\t", 1).replace(" ", ",") for r in sec) + "\n",
        "bom_crlf": "\ufeff346 260\r\n" + "\r\n".join(sec) + "\r\n",
    }[case]
    path = tmp_path / "e.txt"
    path.write_bytes(text.encode())
    with open_file(path, block_bytes=4096) as src:
        assert (src.width, src.height) == (346, 260)
        assert np.array_equal(np.concatenate(list(src)), EV)
